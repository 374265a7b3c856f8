// The server's workers: each owns one database connection and one set of
// face models and serves one request at a time; all share one face gallery.
#ifndef PUENTE_SERVER_SRC_WORKER_POOL_H_
#define PUENTE_SERVER_SRC_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "puente/biometrics/face_capture.h"
#include "puente/registry/cards.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/registry.h"
#include "puente/registry/users.h"

namespace puente::server {

// One request at a time per worker: its own connection and face models.
struct Worker {
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<biometrics::FaceCapture> capture;
  std::unique_ptr<registry::EnrollmentService> enrollment;
  std::unique_ptr<registry::CardOffice> cards;
  std::unique_ptr<registry::UserDirectory> users;
};

// Lends workers to requests. Thread-safe; With() blocks while every worker
// is busy.
class WorkerPool {
 public:
  void Add(std::unique_ptr<Worker> w) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(w));
    cv_.notify_one();
  }

  // Runs fn(Worker&) on a free worker and returns what fn returns; the
  // worker goes back to the pool however fn ends.
  template <typename Fn>
  auto With(Fn&& fn) {
    std::unique_ptr<Worker> w = Take();
    struct Return {
      WorkerPool* pool;
      std::unique_ptr<Worker>* w;
      ~Return() { pool->Add(std::move(*w)); }
    } give_back{this, &w};
    return fn(*w);
  }

 private:
  std::unique_ptr<Worker> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    while (free_.empty()) cv_.wait(lock);
    std::unique_ptr<Worker> w = std::move(free_.front());
    free_.pop_front();
    return w;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Worker>> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_WORKER_POOL_H_
