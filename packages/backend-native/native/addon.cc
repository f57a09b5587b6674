// N-API surface: gemm() on Float32Array views (zero-copy), plus threads and BLAS selection.
#include <napi.h>

#include <algorithm>
#include <string>

#include "attention.h"
#include "blas.h"
#include "elementwise.h"
#include "fused.h"
#include "gemm.h"
#include "pool.h"

namespace {

int gThreads = tirl::hardwareThreads();
bool gUseBlas = false;

Napi::Value Fail(const Napi::Env& env, const std::string& message) {
  Napi::TypeError::New(env, "tirl_gemm: " + message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// gemm(a, aBase, aOffsets, b, bBase, bOffsets, c, cBase, batch, m, n, k, transA, transB,
//      bias | null, biasBase, biasMode, activation, alpha)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 19) return Fail(env, "gemm expects 19 arguments");
  if (!info[0].IsTypedArray() || !info[3].IsTypedArray() || !info[6].IsTypedArray())
    return Fail(env, "a, b and c must be Float32Array");
  auto a = info[0].As<Napi::Float32Array>(), b = info[3].As<Napi::Float32Array>(), c = info[6].As<Napi::Float32Array>();
  auto aOffsets = info[2].As<Napi::Int32Array>(), bOffsets = info[5].As<Napi::Int32Array>();
  const int64_t aBase = info[1].As<Napi::Number>().Int64Value(), bBase = info[4].As<Napi::Number>().Int64Value();
  const int64_t cBase = info[7].As<Napi::Number>().Int64Value();
  tirl::GemmProblem p{};
  p.batch = info[8].As<Napi::Number>().Int32Value();
  p.m = info[9].As<Napi::Number>().Int32Value();
  p.n = info[10].As<Napi::Number>().Int32Value();
  p.k = info[11].As<Napi::Number>().Int32Value();
  p.transA = info[12].ToBoolean().Value();
  p.transB = info[13].ToBoolean().Value();
  if (p.batch < 0 || p.m < 0 || p.n < 0 || p.k < 0) return Fail(env, "negative dimension");
  if (static_cast<int>(aOffsets.ElementLength()) < p.batch || static_cast<int>(bOffsets.ElementLength()) < p.batch)
    return Fail(env, "aOffsets and bOffsets need one entry per batch");
  const int64_t aSize = static_cast<int64_t>(p.m) * p.k, bSize = static_cast<int64_t>(p.k) * p.n;
  for (int i = 0; i < p.batch; ++i) {
    if (aOffsets[i] < 0 || aBase + aOffsets[i] + aSize > static_cast<int64_t>(a.ElementLength()))
      return Fail(env, "A batch " + std::to_string(i) + " lies outside a");
    if (bOffsets[i] < 0 || bBase + bOffsets[i] + bSize > static_cast<int64_t>(b.ElementLength()))
      return Fail(env, "B batch " + std::to_string(i) + " lies outside b");
  }
  if (cBase < 0 || cBase + static_cast<int64_t>(p.batch) * p.m * p.n > static_cast<int64_t>(c.ElementLength()))
    return Fail(env, "C lies outside c");
  p.a = a.Data() + aBase;
  p.b = b.Data() + bBase;
  p.c = c.Data() + cBase;
  p.aOffsets = aOffsets.Data();
  p.bOffsets = bOffsets.Data();
  const int biasMode = info[16].As<Napi::Number>().Int32Value();
  if (biasMode != 0) {
    if (!info[14].IsTypedArray()) return Fail(env, "bias must be a Float32Array when biasMode != 0");
    auto bias = info[14].As<Napi::Float32Array>();
    const int64_t biasBase = info[15].As<Napi::Number>().Int64Value();
    const int64_t need = biasMode == 1 ? 1 : p.n;
    if (biasBase < 0 || biasBase + need > static_cast<int64_t>(bias.ElementLength())) return Fail(env, "bias too short");
    p.epilogue.bias = bias.Data() + biasBase;
  }
  if (biasMode < 0 || biasMode > 2) return Fail(env, "biasMode must be 0, 1 or 2");
  const int activation = info[17].As<Napi::Number>().Int32Value();
  if (activation < 0 || activation > 5) return Fail(env, "activation must be 0..5");
  p.epilogue.biasMode = static_cast<tirl::BiasMode>(biasMode);
  p.epilogue.activation = static_cast<tirl::Activation>(activation);
  p.epilogue.alpha = info[18].As<Napi::Number>().FloatValue();
  if (gUseBlas && p.m > 0 && p.n > 0) tirl::gemmOpenBlas(p, gThreads);
  else tirl::gemmBlocked(p, gThreads);
  return env.Undefined();
}

int64_t Int(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

// True when [base, base + count) lies inside the array.
bool Inside(int64_t base, int64_t count, size_t length) {
  return base >= 0 && count >= 0 && base + count <= static_cast<int64_t>(length);
}

// Reads a rank-r Int32Array of non-negative sizes into out; returns the product or -1.
int64_t ReadShape(const Napi::Value& v, int* out, int* rank) {
  if (!v.IsTypedArray()) return -1;
  auto arr = v.As<Napi::Int32Array>();
  *rank = static_cast<int>(arr.ElementLength());
  if (*rank < 1 || *rank > tirl::kMaxRank) return -1;
  int64_t size = 1;
  for (int d = 0; d < *rank; ++d) {
    if (arr[d] < 0) return -1;
    out[d] = arr[d];
    size *= arr[d];
  }
  return size;
}

// transpose(heap, inBase, outBase, shape: Int32Array, perm: Int32Array)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5 || !info[0].IsTypedArray() || !info[4].IsTypedArray()) return Fail(env, "transpose(heap, inBase, outBase, shape, perm)");
  auto heap = info[0].As<Napi::Float32Array>();
  int shape[tirl::kMaxRank], perm[tirl::kMaxRank], rank = 0;
  const int64_t size = ReadShape(info[3], shape, &rank);
  if (size < 0) return Fail(env, "transpose: shape must be an Int32Array of rank 1..8");
  auto permArr = info[4].As<Napi::Int32Array>();
  if (static_cast<int>(permArr.ElementLength()) != rank) return Fail(env, "transpose: perm length differs from rank");
  bool seen[tirl::kMaxRank] = {};
  for (int d = 0; d < rank; ++d) {
    perm[d] = permArr[d];
    if (perm[d] < 0 || perm[d] >= rank || seen[perm[d]]) return Fail(env, "transpose: perm is not a permutation");
    seen[perm[d]] = true;
  }
  const int64_t inBase = Int(info[1]), outBase = Int(info[2]);
  if (!Inside(inBase, size, heap.ElementLength()) || !Inside(outBase, size, heap.ElementLength()))
    return Fail(env, "transpose: operand lies outside the heap");
  tirl::transpose(heap.Data() + inBase, heap.Data() + outBase, shape, perm, rank, gThreads);
  return env.Undefined();
}

// binary(op, heap, aBase, aStrides, bBase, bStrides, outBase, outShape): strides are Int32Array
// (elements, 0 = broadcast) of the output's rank.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8 || !info[1].IsTypedArray() || !info[3].IsTypedArray() || !info[5].IsTypedArray())
    return Fail(env, "binary(op, heap, aBase, aStrides, bBase, bStrides, outBase, outShape)");
  const int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 5) return Fail(env, "binary: op must be 0..5");
  auto heap = info[1].As<Napi::Float32Array>();
  int shape[tirl::kMaxRank], rank = 0;
  const int64_t size = ReadShape(info[7], shape, &rank);
  if (size < 0) return Fail(env, "binary: outShape must be an Int32Array of rank 1..8");
  auto aS = info[3].As<Napi::Int32Array>(), bS = info[5].As<Napi::Int32Array>();
  if (static_cast<int>(aS.ElementLength()) != rank || static_cast<int>(bS.ElementLength()) != rank)
    return Fail(env, "binary: strides must have the output's rank");
  int64_t aStrides[tirl::kMaxRank], bStrides[tirl::kMaxRank], aSpan = 1, bSpan = 1;
  for (int d = 0; d < rank; ++d) {
    aStrides[d] = aS[d];
    bStrides[d] = bS[d];
    if (aS[d] < 0 || bS[d] < 0) return Fail(env, "binary: negative stride");
    if (shape[d] > 0) {
      aSpan += aStrides[d] * (shape[d] - 1);
      bSpan += bStrides[d] * (shape[d] - 1);
    }
  }
  const int64_t aBase = Int(info[2]), bBase = Int(info[4]), outBase = Int(info[6]);
  const size_t n = heap.ElementLength();
  if (size == 0) return env.Undefined();
  if (!Inside(aBase, aSpan, n) || !Inside(bBase, bSpan, n) || !Inside(outBase, size, n))
    return Fail(env, "binary: operand lies outside the heap");
  float* h = heap.Data();
  tirl::binary(static_cast<tirl::BinaryOp>(op), h + aBase, aStrides, h + bBase, bStrides, h + outBase, shape, rank, gThreads);
  return env.Undefined();
}

// sum(heap, inBase, outBase, outer, reduce, inner)
Napi::Value Sum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 6 || !info[0].IsTypedArray()) return Fail(env, "sum(heap, inBase, outBase, outer, reduce, inner)");
  auto heap = info[0].As<Napi::Float32Array>();
  const int64_t inBase = Int(info[1]), outBase = Int(info[2]), outer = Int(info[3]), reduce = Int(info[4]), inner = Int(info[5]);
  if (outer < 0 || reduce < 0 || inner < 0) return Fail(env, "sum: negative size");
  if (!Inside(inBase, outer * reduce * inner, heap.ElementLength()) || !Inside(outBase, outer * inner, heap.ElementLength()))
    return Fail(env, "sum: operand lies outside the heap");
  tirl::sumAxes(heap.Data() + inBase, heap.Data() + outBase, outer, reduce, inner, gThreads);
  return env.Undefined();
}

// gather(heap, tableBase, rows, rowSize, heapI32, idsBase, count, outBase) → false on an id outside [0, rows)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8 || !info[0].IsTypedArray() || !info[4].IsTypedArray())
    return Fail(env, "gather(heap, tableBase, rows, rowSize, heapI32, idsBase, count, outBase)");
  auto heap = info[0].As<Napi::Float32Array>();
  auto ids = info[4].As<Napi::Int32Array>();
  const int64_t tableBase = Int(info[1]), rows = Int(info[2]), rowSize = Int(info[3]);
  const int64_t idsBase = Int(info[5]), count = Int(info[6]), outBase = Int(info[7]);
  if (rows < 0 || rowSize < 0 || count < 0) return Fail(env, "gather: negative size");
  const size_t n = heap.ElementLength();
  if (!Inside(tableBase, rows * rowSize, n) || !Inside(idsBase, count, ids.ElementLength()) || !Inside(outBase, count * rowSize, n))
    return Fail(env, "gather: operand lies outside the heap");
  const bool ok = tirl::gatherRows(heap.Data() + tableBase, rows, rowSize, ids.Data() + idsBase, count, heap.Data() + outBase, gThreads);
  return Napi::Boolean::New(env, ok);
}

// Fused kernels: every operand is an element offset into `heap` (float32) or `heapI32` (int32 ids),
// checked against the heap's length before the kernel runs.
struct Operands {
  explicit Operands(Napi::Env e) : env(e) {}
  Napi::Env env;
  float* f = nullptr;
  int32_t* i = nullptr;
  size_t fLength = 0, iLength = 0;
  bool ok = true;
  std::string error;
  float* at(int64_t base, int64_t count, const char* what) {
    if (!Inside(base, count, fLength)) fail(what);
    return ok ? f + base : nullptr;
  }
  int32_t* ids(int64_t base, int64_t count, const char* what) {
    if (!Inside(base, count, iLength)) fail(what);
    return ok ? i + base : nullptr;
  }
  void fail(const char* what) {
    if (ok) error = std::string(what) + " lies outside the heap";
    ok = false;
  }
};

Operands Heap(const Napi::CallbackInfo& info, size_t expected, const char* usage) {
  Operands o(info.Env());
  if (info.Length() != expected || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
    o.ok = false;
    o.error = usage;
    return o;
  }
  auto f = info[0].As<Napi::Float32Array>();
  auto i = info[1].As<Napi::Int32Array>();
  o.f = f.Data();
  o.fLength = f.ElementLength();
  o.i = i.Data();
  o.iLength = i.ElementLength();
  return o;
}

double Num(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }

bool ReadAttentionShape(const Napi::CallbackInfo& info, int at, tirl::AttentionShape* sh) {
  sh->b = static_cast<int>(Int(info[at]));
  sh->heads = static_cast<int>(Int(info[at + 1]));
  sh->kvHeads = static_cast<int>(Int(info[at + 2]));
  sh->tq = static_cast<int>(Int(info[at + 3]));
  sh->s = static_cast<int>(Int(info[at + 4]));
  sh->d = static_cast<int>(Int(info[at + 5]));
  return sh->b >= 0 && sh->kvHeads >= 1 && sh->heads >= sh->kvHeads && sh->heads % sh->kvHeads == 0 && sh->tq >= 0 && sh->s >= 0 && sh->d >= 1;
}

// lmHeadForward(heap, heapI32, hidden, weight, targets, n, h, v, chunk, logp, lse, entropy)
Napi::Value LmHeadForward(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 12, "lmHeadForward(heap, heapI32, hidden, weight, targets, n, h, v, chunk, logp, lse, entropy)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t n = Int(info[5]), h = Int(info[6]), v = Int(info[7]), chunk = Int(info[8]);
  if (n < 0 || h < 0 || v < 1 || chunk < 1) return Fail(o.env, "lmHeadForward: bad sizes");
  const float* hidden = o.at(Int(info[2]), n * h, "hidden");
  const float* weight = o.at(Int(info[3]), v * h, "weight");
  const int32_t* targets = o.ids(Int(info[4]), n, "targets");
  float* logp = o.at(Int(info[9]), n, "logp");
  float* lse = o.at(Int(info[10]), n, "lse");
  float* entropy = o.at(Int(info[11]), n, "entropy");
  if (!o.ok) return Fail(o.env, "lmHeadForward: " + o.error);
  tirl::lmHeadForward(hidden, weight, targets, n, h, v, chunk, logp, lse, entropy, gThreads);
  return o.env.Undefined();
}

// lmHeadBackward(heap, heapI32, hidden, weight, targets, lse, entropy, dLogp, dEntropy (-1: none), n, h, v, chunk, dHidden, dWeight)
Napi::Value LmHeadBackward(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 15, "lmHeadBackward(heap, heapI32, hidden, weight, targets, lse, entropy, dLogp, dEntropy, n, h, v, chunk, dHidden, dWeight)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t n = Int(info[9]), h = Int(info[10]), v = Int(info[11]), chunk = Int(info[12]);
  if (n < 0 || h < 0 || v < 1 || chunk < 1) return Fail(o.env, "lmHeadBackward: bad sizes");
  const float* hidden = o.at(Int(info[2]), n * h, "hidden");
  const float* weight = o.at(Int(info[3]), v * h, "weight");
  const int32_t* targets = o.ids(Int(info[4]), n, "targets");
  const float* lse = o.at(Int(info[5]), n, "lse");
  const float* entropy = o.at(Int(info[6]), n, "entropy");
  const float* dLogp = o.at(Int(info[7]), n, "dLogp");
  const float* dEntropy = Int(info[8]) < 0 ? nullptr : o.at(Int(info[8]), n, "dEntropy");
  float* dHidden = o.at(Int(info[13]), n * h, "dHidden");
  float* dWeight = o.at(Int(info[14]), v * h, "dWeight");
  if (!o.ok) return Fail(o.env, "lmHeadBackward: " + o.error);
  tirl::lmHeadBackward(hidden, weight, targets, lse, entropy, dLogp, dEntropy, n, h, v, chunk, dHidden, dWeight, gThreads);
  return o.env.Undefined();
}

// scatterAddRows(heap, heapI32, dy, ids, count, rows, width, out, accumulate)
Napi::Value ScatterAddRows(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 9, "scatterAddRows(heap, heapI32, dy, ids, count, rows, width, out, accumulate)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t count = Int(info[4]), rows = Int(info[5]), width = Int(info[6]);
  if (count < 0 || rows < 0 || width < 0) return Fail(o.env, "scatterAddRows: negative size");
  const float* dy = o.at(Int(info[2]), count * width, "dy");
  const int32_t* ids = o.ids(Int(info[3]), count, "ids");
  float* out = o.at(Int(info[7]), rows * width, "out");
  if (!o.ok) return Fail(o.env, "scatterAddRows: " + o.error);
  tirl::scatterAddRows(dy, ids, count, rows, width, out, info[8].ToBoolean().Value(), gThreads);
  return o.env.Undefined();
}

// adamUpdate(heap, heapI32, w, g, m, v, size, lr, beta1, beta2, eps, c1, c2, weightDecay)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 14, "adamUpdate(heap, heapI32, w, g, m, v, size, lr, beta1, beta2, eps, c1, c2, weightDecay)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t size = Int(info[6]);
  if (size < 0) return Fail(o.env, "adamUpdate: negative size");
  float* w = o.at(Int(info[2]), size, "w");
  const float* g = o.at(Int(info[3]), size, "g");
  float* m = o.at(Int(info[4]), size, "m");
  float* v = o.at(Int(info[5]), size, "v");
  if (!o.ok) return Fail(o.env, "adamUpdate: " + o.error);
  tirl::adamUpdate(w, g, m, v, size, Num(info[7]), Num(info[8]), Num(info[9]), Num(info[10]), Num(info[11]), Num(info[12]),
                   Num(info[13]), gThreads);
  return o.env.Undefined();
}

// rmsNormForward(heap, heapI32, x, weight, rows, width, eps, y, rstd)
Napi::Value RmsNormForward(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 9, "rmsNormForward(heap, heapI32, x, weight, rows, width, eps, y, rstd)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t rows = Int(info[4]), width = Int(info[5]);
  if (rows < 0 || width < 1) return Fail(o.env, "rmsNormForward: bad sizes");
  const float* x = o.at(Int(info[2]), rows * width, "x");
  const float* weight = o.at(Int(info[3]), width, "weight");
  float* y = o.at(Int(info[7]), rows * width, "y");
  float* rstd = o.at(Int(info[8]), rows, "rstd");
  if (!o.ok) return Fail(o.env, "rmsNormForward: " + o.error);
  tirl::rmsNormForward(x, weight, rows, static_cast<int>(width), static_cast<float>(Num(info[6])), y, rstd, gThreads);
  return o.env.Undefined();
}

// rmsNormBackward(heap, heapI32, x, weight, rstd, dy, rows, width, dx, dWeight)
Napi::Value RmsNormBackward(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 10, "rmsNormBackward(heap, heapI32, x, weight, rstd, dy, rows, width, dx, dWeight)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t rows = Int(info[6]), width = Int(info[7]);
  if (rows < 0 || width < 1) return Fail(o.env, "rmsNormBackward: bad sizes");
  const float* x = o.at(Int(info[2]), rows * width, "x");
  const float* weight = o.at(Int(info[3]), width, "weight");
  const float* rstd = o.at(Int(info[4]), rows, "rstd");
  const float* dy = o.at(Int(info[5]), rows * width, "dy");
  float* dx = o.at(Int(info[8]), rows * width, "dx");
  float* dWeight = o.at(Int(info[9]), width, "dWeight");
  if (!o.ok) return Fail(o.env, "rmsNormBackward: " + o.error);
  tirl::rmsNormBackward(x, weight, rstd, dy, rows, static_cast<int>(width), dx, dWeight, gThreads);
  return o.env.Undefined();
}

// swiglu(heap, heapI32, gate, up, size, y)
Napi::Value Swiglu(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 6, "swiglu(heap, heapI32, gate, up, size, y)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t size = Int(info[4]);
  if (size < 0) return Fail(o.env, "swiglu: negative size");
  const float* gate = o.at(Int(info[2]), size, "gate");
  const float* up = o.at(Int(info[3]), size, "up");
  float* y = o.at(Int(info[5]), size, "y");
  if (!o.ok) return Fail(o.env, "swiglu: " + o.error);
  tirl::swigluForward(gate, up, size, y, gThreads);
  return o.env.Undefined();
}

// swigluBackward(heap, heapI32, gate, up, dy, size, dGate, dUp)
Napi::Value SwigluBackward(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 8, "swigluBackward(heap, heapI32, gate, up, dy, size, dGate, dUp)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t size = Int(info[5]);
  if (size < 0) return Fail(o.env, "swigluBackward: negative size");
  const float* gate = o.at(Int(info[2]), size, "gate");
  const float* up = o.at(Int(info[3]), size, "up");
  const float* dy = o.at(Int(info[4]), size, "dy");
  float* dGate = o.at(Int(info[6]), size, "dGate");
  float* dUp = o.at(Int(info[7]), size, "dUp");
  if (!o.ok) return Fail(o.env, "swigluBackward: " + o.error);
  tirl::swigluBackward(gate, up, dy, size, dGate, dUp, gThreads);
  return o.env.Undefined();
}

// rope(heap, heapI32, x, cos, sin, n, heads, d, inverse, y)
Napi::Value Rope(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 10, "rope(heap, heapI32, x, cos, sin, n, heads, d, inverse, y)");
  if (!o.ok) return Fail(o.env, o.error);
  const int64_t n = Int(info[5]), heads = Int(info[6]), d = Int(info[7]);
  if (n < 0 || heads < 0 || d < 2 || d % 2 != 0) return Fail(o.env, "rope: bad sizes (d must be even)");
  const float* x = o.at(Int(info[2]), n * heads * d, "x");
  const float* cos = o.at(Int(info[3]), n * d, "cos");
  const float* sin = o.at(Int(info[4]), n * d, "sin");
  float* y = o.at(Int(info[9]), n * heads * d, "y");
  if (!o.ok) return Fail(o.env, "rope: " + o.error);
  tirl::rope(x, cos, sin, n, static_cast<int>(heads), static_cast<int>(d), info[8].ToBoolean().Value(), y, gThreads);
  return o.env.Undefined();
}

// attention(heap, heapI32, q, k, v, keyValid, queryLimit, b, heads, kvHeads, tq, s, d, out, lse)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 15, "attention(heap, heapI32, q, k, v, keyValid, queryLimit, b, heads, kvHeads, tq, s, d, out, lse)");
  if (!o.ok) return Fail(o.env, o.error);
  tirl::AttentionShape sh{};
  if (!ReadAttentionShape(info, 7, &sh)) return Fail(o.env, "attention: bad sizes (heads must be a multiple of kvHeads)");
  const int64_t qSize = static_cast<int64_t>(sh.b) * sh.heads * sh.tq * sh.d, kvSize = static_cast<int64_t>(sh.b) * sh.kvHeads * sh.s * sh.d;
  const float* q = o.at(Int(info[2]), qSize, "q");
  const float* k = o.at(Int(info[3]), kvSize, "k");
  const float* v = o.at(Int(info[4]), kvSize, "v");
  const float* valid = o.at(Int(info[5]), static_cast<int64_t>(sh.b) * sh.s, "keyValid");
  const int32_t* limit = o.ids(Int(info[6]), sh.tq, "queryLimit");
  float* out = o.at(Int(info[13]), qSize, "out");
  float* lse = o.at(Int(info[14]), qSize / std::max(1, sh.d), "lse");
  if (!o.ok) return Fail(o.env, "attention: " + o.error);
  tirl::attentionForward(q, k, v, valid, limit, sh, out, lse, gThreads);
  return o.env.Undefined();
}

// attentionBackward(heap, heapI32, q, k, v, keyValid, queryLimit, b, heads, kvHeads, tq, s, d, out, lse, dOut, dq, dk, dv)
Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  Operands o = Heap(info, 19, "attentionBackward(heap, heapI32, q, k, v, keyValid, queryLimit, b, heads, kvHeads, tq, s, d, out, lse, dOut, dq, dk, dv)");
  if (!o.ok) return Fail(o.env, o.error);
  tirl::AttentionShape sh{};
  if (!ReadAttentionShape(info, 7, &sh)) return Fail(o.env, "attentionBackward: bad sizes (heads must be a multiple of kvHeads)");
  const int64_t qSize = static_cast<int64_t>(sh.b) * sh.heads * sh.tq * sh.d, kvSize = static_cast<int64_t>(sh.b) * sh.kvHeads * sh.s * sh.d;
  const float* q = o.at(Int(info[2]), qSize, "q");
  const float* k = o.at(Int(info[3]), kvSize, "k");
  const float* v = o.at(Int(info[4]), kvSize, "v");
  const float* valid = o.at(Int(info[5]), static_cast<int64_t>(sh.b) * sh.s, "keyValid");
  const int32_t* limit = o.ids(Int(info[6]), sh.tq, "queryLimit");
  const float* out = o.at(Int(info[13]), qSize, "out");
  const float* lse = o.at(Int(info[14]), qSize / std::max(1, sh.d), "lse");
  const float* dOut = o.at(Int(info[15]), qSize, "dOut");
  float* dq = o.at(Int(info[16]), qSize, "dq");
  float* dk = o.at(Int(info[17]), kvSize, "dk");
  float* dv = o.at(Int(info[18]), kvSize, "dv");
  if (!o.ok) return Fail(o.env, "attentionBackward: " + o.error);
  tirl::attentionBackward(q, k, v, valid, limit, out, lse, dOut, sh, dq, dk, dv, gThreads);
  return o.env.Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) return Fail(info.Env(), "threads must be >= 1");
  gThreads = n;
  return info.Env().Undefined();
}

// useBlas("openblas") → "" or the reason it failed; useBlas("none") → "".
Napi::Value UseBlas(const Napi::CallbackInfo& info) {
  const std::string which = info[0].As<Napi::String>().Utf8Value();
  if (which == "none") {
    gUseBlas = false;
    return Napi::String::New(info.Env(), "");
  }
  if (which != "openblas") return Fail(info.Env(), "blas must be 'none' or 'openblas'");
  const std::string error = tirl::loadOpenBlas();
  gUseBlas = error.empty();
  return Napi::String::New(info.Env(), error);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("kernel", tirl::kernelName());
  out.Set("threads", gThreads);
  out.Set("hardwareThreads", tirl::hardwareThreads());
  out.Set("blas", gUseBlas ? "openblas" : "none");
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("sum", Napi::Function::New(env, Sum));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("lmHeadForward", Napi::Function::New(env, LmHeadForward));
  exports.Set("lmHeadBackward", Napi::Function::New(env, LmHeadBackward));
  exports.Set("scatterAddRows", Napi::Function::New(env, ScatterAddRows));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("rmsNormForward", Napi::Function::New(env, RmsNormForward));
  exports.Set("rmsNormBackward", Napi::Function::New(env, RmsNormBackward));
  exports.Set("swiglu", Napi::Function::New(env, Swiglu));
  exports.Set("swigluBackward", Napi::Function::New(env, SwigluBackward));
  exports.Set("rope", Napi::Function::New(env, Rope));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("useBlas", Napi::Function::New(env, UseBlas));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(tirl_gemm, Init)
