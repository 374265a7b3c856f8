// The server's log: one JSON object a line on stderr (docs/operations.md,
// "The server log"). Never personal data, tokens or passwords: callers pass
// ids, codes and counts, not names or bodies.
//
//   {"time":"2026-12-02T06:40:00.123Z","level":"info","event":"request",
//    "method":"POST","route":"/api/v1/enrollments","status":201,"ms":812.4,
//    "user":"officer1","request_id":"9f0c..."}
#ifndef PUENTE_SERVER_LOG_H_
#define PUENTE_SERVER_LOG_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug", "info", "warn", "error", "off". InvalidArgument naming them otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name);
const char* LogLevelName(LogLevel level);

// Process-wide; the default is info. Thread-safe.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Writes {"time", "level", "event", ...fields} as one line, if `level` is
// enabled. Thread-safe: lines never interleave.
void LogEvent(LogLevel level, std::string_view event, nlohmann::json fields = {});

// Tests: every line goes to `sink` instead of stderr (nullptr: stderr again).
void SetLogSinkForTesting(std::function<void(const std::string& line)> sink);

}  // namespace puente::server

#endif  // PUENTE_SERVER_LOG_H_
