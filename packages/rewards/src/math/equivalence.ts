import { all, create, type MathNode } from 'mathjs';
import { latexToExpression, splitTopLevel } from './latex';

const math = create(all, { number: 'BigNumber', precision: 64 });

const ALLOWED_FUNCTIONS = new Set(['sqrt', 'abs']);
const ALLOWED_SYMBOLS = new Set(['pi', 'e']);
const ALLOWED_OPERATORS = new Set(['+', '-', '*', '/', '^', 'unaryMinus', 'unaryPlus']);

export interface EquivalenceOptions {
  /** Longest answer (characters, after LaTeX rewriting) that is parsed; longer ones compare as strings. */
  maxChars: number;
  /** Most parse-tree nodes evaluated. */
  maxNodes: number;
  /** Largest absolute exponent evaluated in `a^b`. */
  maxExponent: number;
  /** Relative tolerance: |a − b| ≤ tol · max(1, |b|). */
  relTol: number;
}

export const DEFAULT_EQUIVALENCE: EquivalenceOptions = { maxChars: 200, maxNodes: 64, maxExponent: 1000, relTol: 1e-9 };

/**
 * Whether two answers denote the same value: integers, decimals, fractions and simple expressions
 * (`+ - * / ^`, `sqrt`, `pi`) are compared by value with 64-digit BigNumbers; anything else by its
 * normalised text. Never evaluates arbitrary code (only a whitelisted parse tree), never throws.
 */
export function mathEquivalent(predicted: string, reference: string, options: EquivalenceOptions = DEFAULT_EQUIVALENCE): boolean {
  const p = latexToExpression(predicted);
  const r = latexToExpression(reference);
  if (p === '' || r === '') return false;
  if (compact(p) === compact(r)) return true;
  const ps = splitTopLevel(p);
  const rs = splitTopLevel(r);
  if (ps.length !== rs.length) return false;
  if (ps.length > 1) return ps.every((x, i) => mathEquivalent(x, rs[i], options));
  const a = evaluateSafe(p, options);
  const b = evaluateSafe(r, options);
  if (a === undefined || b === undefined) return false;
  if (!a.isFinite() || !b.isFinite()) return a.equals(b);
  // Integers compare exactly, so long integers that differ in their last digit stay different.
  if (a.isInteger() && b.isInteger()) return a.equals(b);
  const scale = b.abs().lt(1) ? (math.bignumber(1) as unknown as BigNumberLike) : b.abs();
  return a.minus(b).abs().lte(scale.times(options.relTol));
}

interface BigNumberLike {
  isFinite(): boolean;
  isInteger(): boolean;
  equals(o: BigNumberLike): boolean;
  minus(o: BigNumberLike): BigNumberLike;
  abs(): BigNumberLike;
  times(x: number): BigNumberLike;
  lte(o: BigNumberLike): boolean;
  lt(x: number): boolean;
}

function compact(s: string): string {
  return s.replace(/\s+/g, '').toLowerCase();
}

/** The value of a whitelisted expression, or undefined when it is not one (or is too large). */
export function evaluateSafe(expr: string, options: EquivalenceOptions = DEFAULT_EQUIVALENCE): BigNumberLike | undefined {
  if (expr.length > options.maxChars) return undefined;
  let node: MathNode;
  try {
    node = math.parse(expr);
  } catch {
    return undefined;
  }
  let count = 0;
  let safe = true;
  node.traverse((n) => {
    count++;
    if (!isAllowed(n, options)) safe = false;
  });
  if (!safe || count > options.maxNodes) return undefined;
  try {
    const value = node.compile().evaluate() as unknown;
    return isBigNumber(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isAllowed(n: MathNode, options: EquivalenceOptions): boolean {
  switch (n.type) {
    case 'ConstantNode':
      return typeof (n as unknown as { value: unknown }).value !== 'string';
    case 'ParenthesisNode':
      return true;
    case 'SymbolNode':
      // Function names are SymbolNodes too; a bare function symbol evaluates to a non-number and is rejected later.
      return ALLOWED_SYMBOLS.has((n as unknown as { name: string }).name) || ALLOWED_FUNCTIONS.has((n as unknown as { name: string }).name);
    case 'FunctionNode': {
      const fn = (n as unknown as { fn: { name?: string } }).fn;
      return ALLOWED_FUNCTIONS.has(fn.name ?? '');
    }
    case 'OperatorNode': {
      const op = n as unknown as { op: string; fn: string; args: MathNode[] };
      if (!ALLOWED_OPERATORS.has(op.op) && !ALLOWED_OPERATORS.has(op.fn)) return false;
      if (op.op === '^') return exponentIsSmall(op.args[1], options.maxExponent);
      return true;
    }
    default:
      return false;
  }
}

function exponentIsSmall(exponent: MathNode, limit: number): boolean {
  if (exponent.type === 'ConstantNode') return Math.abs(Number((exponent as unknown as { value: unknown }).value)) <= limit;
  if (exponent.type === 'OperatorNode' && (exponent as unknown as { fn: string }).fn === 'unaryMinus') {
    return exponentIsSmall((exponent as unknown as { args: MathNode[] }).args[0], limit);
  }
  if (exponent.type === 'ParenthesisNode') return exponentIsSmall((exponent as unknown as { content: MathNode }).content, limit);
  return false;
}

function isBigNumber(v: unknown): v is BigNumberLike {
  return typeof v === 'object' && v !== null && (v as { isBigNumber?: boolean }).isBigNumber === true;
}
