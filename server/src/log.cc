#include "puente/server/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace puente::server {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;
std::function<void(const std::string&)>* g_sink = nullptr;  // guarded by g_mu

constexpr const char* kNames[] = {"debug", "info", "warn", "error", "off"};

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(LogLevel::kOff); ++i) {
    if (name == kNames[i]) return static_cast<LogLevel>(i);
  }
  return absl::InvalidArgumentError("log level: one of debug, info, warn, error, off");
}

const char* LogLevelName(LogLevel level) { return kNames[static_cast<int>(level)]; }

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

bool LogEnabled(LogLevel level) {
  return level != LogLevel::kOff && static_cast<int>(level) >= g_level.load();
}

void LogEvent(LogLevel level, std::string_view event, nlohmann::json fields) {
  if (!LogEnabled(level)) return;
  nlohmann::ordered_json line = {
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())},
      {"level", LogLevelName(level)},
      {"event", std::string(event)}};
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = nlohmann::ordered_json(v);
  }
  // Replace, never throw, on invalid UTF-8 in a field.
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_sink != nullptr) {
    (*g_sink)(text);
    return;
  }
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

void SetLogSinkForTesting(std::function<void(const std::string&)> sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  delete g_sink;
  g_sink = sink ? new std::function<void(const std::string&)>(std::move(sink)) : nullptr;
}

}  // namespace puente::server
