// Keeps a server's face gallery current with what other servers (and the
// `puente` CLI) commit to the same database: a thread that catches the
// gallery up with the gallery feed (registry/live_gallery.h) every `period`,
// over a registry connection of its own, so /health, /metrics and every
// search outside an enrollment see another server's enrollments and
// decisions within about one period. Enrollments do not depend on it: they
// catch up under the gallery lock before they search.
//
// A failed catch-up (the database unreachable, a failover) is logged once
// (event gallery_catch_up_failed), the connection is reopened and the next
// period tries again; recovery is logged too. Private to server/.
#ifndef PUENTE_SERVER_SRC_GALLERY_FOLLOWER_H_
#define PUENTE_SERVER_SRC_GALLERY_FOLLOWER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "puente/registry/live_gallery.h"
#include "puente/registry/registry.h"

namespace puente::server {

class GalleryFollower {
 public:
  using OpenRegistry = std::function<absl::StatusOr<std::unique_ptr<registry::Registry>>()>;

  // Starts the thread; `open` makes its connection (again after a failure).
  GalleryFollower(std::shared_ptr<registry::LiveGallery> gallery, OpenRegistry open,
                  absl::Duration period);
  // Stops the thread and waits for it (at most one catch-up).
  ~GalleryFollower();

  GalleryFollower(const GalleryFollower&) = delete;
  GalleryFollower& operator=(const GalleryFollower&) = delete;

 private:
  void Run();

  const std::shared_ptr<registry::LiveGallery> gallery_;
  const OpenRegistry open_;
  const absl::Duration period_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_GALLERY_FOLLOWER_H_
