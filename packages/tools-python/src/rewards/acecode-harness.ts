/** How the runtime E of code is measured: executed lines of the solution (deterministic) or wall time. */
export type RuntimeMeasure = 'lines' | 'wall';

export interface Measurement {
  status: 'passed' | 'failed' | 'error';
  /** Executed solution lines, or seconds (median of the repeats); only when passed. */
  cost?: number;
  message?: string;
}


/**
 * A Python cell that defines `source` in a fresh namespace, runs `tests` against it and prints one marker
 * line, prefixed with a per-call `marker` the code cannot guess, with the outcome: `error` when the source does not even define (syntax error, exception at import),
 * `failed` when a test raises, else `passed` with the runtime: the line events of frames of the solution
 * (`sys.settrace`, deterministic) or the median wall time of `repeats` runs.
 */
export function harness(source: string, tests: string, measure: RuntimeMeasure, repeats: number, marker: string): string {
  return `
import sys, json, time
def __acecode_measure(src, tests, mode, repeats, settrace=sys.settrace, clock=time.perf_counter):
    ns = {'__name__': '__acecode__'}
    try:
        exec(compile(src, '<solution>', 'exec'), ns)
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return {'status': 'error', 'message': type(e).__name__ + ': ' + str(e)}
    code = compile(tests, '<tests>', 'exec')
    costs = []
    for _ in range(repeats if mode == 'wall' else 1):
        env = dict(ns)
        lines = [0]
        def tracer(frame, event, arg):
            if event == 'call':
                return tracer if frame.f_code.co_filename == '<solution>' else None
            if event == 'line':
                lines[0] += 1
            return tracer
        t0 = clock()
        try:
            if mode == 'lines':
                settrace(tracer)
            exec(code, env)
        except KeyboardInterrupt:
            raise
        except BaseException as e:
            return {'status': 'failed', 'message': type(e).__name__ + ': ' + str(e)}
        finally:
            settrace(None)
        costs.append(lines[0] if mode == 'lines' else clock() - t0)
    costs.sort()
    return {'status': 'passed', 'cost': costs[len(costs) // 2]}
__acecode_out = sys.stdout.write
__acecode_dumps = json.dumps
__acecode_out('\\n' + ${JSON.stringify(marker)} + __acecode_dumps(__acecode_measure(${JSON.stringify(source)}, ${JSON.stringify(tests)}, ${JSON.stringify(measure)}, ${repeats})) + '\\n')
`;
}

/** The measurement printed by {@link harness}, or undefined when the cell did not get that far. */
export function readMeasurement(observation: string, marker: string): Measurement | undefined {
  const at = observation.lastIndexOf(marker);
  if (at === -1) return undefined;
  const line = observation.slice(at + marker.length).split('\n')[0];
  try {
    return JSON.parse(line) as Measurement;
  } catch {
    return undefined;
  }
}
