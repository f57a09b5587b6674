// N-API surface: gemm() on Float32Array views (zero-copy), plus threads and BLAS selection.
#include <napi.h>

#include <string>

#include "blas.h"
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
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("useBlas", Napi::Function::New(env, UseBlas));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(tirl_gemm, Init)
