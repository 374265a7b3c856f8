#include "src/gallery_follower.h"

#include <chrono>

#include "puente/server/log.h"

namespace puente::server {

GalleryFollower::GalleryFollower(std::shared_ptr<registry::LiveGallery> gallery, OpenRegistry open,
                                 absl::Duration period)
    : gallery_(std::move(gallery)), open_(std::move(open)), period_(period) {
  thread_ = std::thread([this] { Run(); });
}

GalleryFollower::~GalleryFollower() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GalleryFollower::Run() {
  std::unique_ptr<registry::Registry> registry;
  bool failing = false;
  const auto period = std::chrono::microseconds(absl::ToInt64Microseconds(period_));
  for (;;) {
    {
      std::unique_lock<std::mutex> l(mu_);
      if (wake_.wait_for(l, period, [this] { return stop_; })) return;
    }
    absl::Status s;
    if (registry == nullptr) {
      auto opened = open_();
      if (opened.ok()) {
        registry = std::move(*opened);
      } else {
        s = opened.status();
      }
    }
    if (registry != nullptr) s = gallery_->CatchUp(*registry);
    if (!s.ok()) {
      // The message names the database (password redacted) and the
      // failure, never a person.
      if (!failing) {
        LogEvent(
            LogLevel::kError, "gallery_catch_up_failed",
            {{"code", absl::StatusCodeToString(s.code())}, {"message", std::string(s.message())}});
      }
      failing = true;
      registry.reset();  // a broken connection is not reused
    } else if (failing) {
      LogEvent(LogLevel::kInfo, "gallery_catch_up_resumed", {{"position", gallery_->position()}});
      failing = false;
    }
  }
}

}  // namespace puente::server
