// Wall-clock access behind an interface so that tests can fix the time.
//
// Timestamps are stored and exchanged as RFC 3339 UTC text with microseconds
// ("2026-11-22T10:56:00.000000Z"): the same bytes in SQLite and PostgreSQL,
// and lexicographic order equals time order.
#ifndef PUENTE_COMMON_CLOCK_H_
#define PUENTE_COMMON_CLOCK_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace puente {

// Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The process-wide real clock. Never null, never deleted.
  static const Clock& Real();
};

// A clock that returns a fixed, settable time. For tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(absl::Time t) : now_(t) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time t) { now_ = t; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC.
std::string FormatTimestamp(absl::Time t);
// Parses the format above (and RFC 3339 in general). InvalidArgument otherwise.
absl::StatusOr<absl::Time> ParseTimestamp(const std::string& text);

}  // namespace puente

#endif  // PUENTE_COMMON_CLOCK_H_
