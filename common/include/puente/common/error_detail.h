// Machine-readable detail carried by an absl::Status, so that callers switch
// on a typed value and never on message text.
//
// A detail is an absl payload: a kind (a type URL below) and a short ASCII
// value. Payloads survive copying and PUENTE_RETURN_IF_ERROR, but not a new
// Status built from a message: code that re-wraps a status (to prefix its
// message, say) must carry the payloads over with `Rewrap`.
//
//   return WithDetail(absl::InvalidArgumentError("photo: no face found"),
//                     kDetailReason, "no_face");
//   if (DetailOf(status, kDetailReason) == "no_face") ...
//
// Kinds in use:
//   kDetailStage   credentials: the decode stage that failed
//                  ("Base45Decode", "Signature", ...; see credential.h)
//   kDetailReason  a refusal's stable code: biometrics quality
//                  ("face.too_small", ...), credential verdicts
//                  ("unknown_kid"), registry refusals ("photo")
//   kDetailField   a validation error's field ("date_of_birth")
//   kDetailInternal  what a lower layer said (a database backend's error
//                  text, which can name SOCI functions, SQL, file paths):
//                  for the log only, never for a response body
//
// Thread-safe as absl::Status is (values, no shared state).
#ifndef PUENTE_COMMON_ERROR_DETAIL_H_
#define PUENTE_COMMON_ERROR_DETAIL_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/cord.h"

namespace puente {

inline constexpr std::string_view kDetailStage = "type.puente/stage";
inline constexpr std::string_view kDetailReason = "type.puente/reason";
inline constexpr std::string_view kDetailField = "type.puente/field";
inline constexpr std::string_view kDetailInternal = "type.puente/internal";

// `s` with the detail `kind` set to `value` (replacing an earlier one). An
// OK status stays OK and carries nothing.
// (Debian's abseil has its own string_view type: convert explicitly.)
inline absl::Status WithDetail(absl::Status s, std::string_view kind, std::string_view value) {
  if (!s.ok()) {
    s.SetPayload(absl::string_view(kind.data(), kind.size()),
                 absl::Cord(absl::string_view(value.data(), value.size())));
  }
  return s;
}

// The detail `kind` of `s`, if it carries one.
inline std::optional<std::string> DetailOf(const absl::Status& s, std::string_view kind) {
  auto p = s.GetPayload(absl::string_view(kind.data(), kind.size()));
  if (!p) return std::nullopt;
  return std::string(*p);
}

// A status with `from`'s details and a new code and message (used where a
// layer adds context to a message it passes on).
inline absl::Status Rewrap(const absl::Status& from, absl::StatusCode code,
                           std::string_view message) {
  absl::Status out(code, absl::string_view(message.data(), message.size()));
  from.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}
inline absl::Status Rewrap(const absl::Status& from, std::string_view message) {
  return Rewrap(from, from.code(), message);
}

}  // namespace puente

#endif  // PUENTE_COMMON_ERROR_DETAIL_H_
