#include "pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tirl {
namespace {

// Never destroyed: worker threads stay parked until the process exits, so no joinable
// std::thread is ever destructed at exit.
struct Pool {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable finished;
  const std::function<void(int)>* task = nullptr;
  std::atomic<int> next{0};
  int count = 0;
  int wanted = 0;  // workers taking part in the current generation
  int pending = 0;
  unsigned long generation = 0;
  int started = 0;

  void ensure(int workers) {
    while (started < workers) {
      const int index = started++;
      std::thread([this, index] { loop(index); }).detach();
    }
  }

  void drain() {
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) (*task)(i);
  }

  void loop(int index) {
    unsigned long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return generation != seen && index < wanted; });
        seen = generation;
      }
      drain();
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0) finished.notify_one();
    }
  }
};

Pool* pool() {
  static Pool* instance = new Pool();
  return instance;
}

}  // namespace

int hardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void parallelFor(int count, int threads, const std::function<void(int)>& task) {
  const int workers = (threads < count ? threads : count) - 1;
  if (workers <= 0) {
    for (int i = 0; i < count; ++i) task(i);
    return;
  }
  Pool* p = pool();
  p->ensure(workers);
  {
    std::lock_guard<std::mutex> lock(p->mutex);
    p->task = &task;
    p->count = count;
    p->next.store(0);
    p->wanted = workers;
    p->pending = workers;
    ++p->generation;
  }
  p->wake.notify_all();
  p->drain();
  std::unique_lock<std::mutex> lock(p->mutex);
  p->finished.wait(lock, [&] { return p->pending == 0; });
  p->wanted = 0;
}

}  // namespace tirl
