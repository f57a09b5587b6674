// A fixed set of worker threads that run numbered tasks; the calling thread works too.
#pragma once
#include <functional>

namespace tirl {

/** Runs task(0..count-1) on up to `threads` threads (caller included) and returns when all are done. */
void parallelFor(int count, int threads, const std::function<void(int)>& task);

/** Threads the machine reports (at least 1). */
int hardwareThreads();

}  // namespace tirl
