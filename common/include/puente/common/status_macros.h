// Propagation helpers for absl::Status / absl::StatusOr.
//
// PUENTE_RETURN_IF_ERROR(expr): evaluates expr (a Status or StatusOr) and
// returns its status from the current function if it is not OK.
// PUENTE_ASSIGN_OR_RETURN(lhs, expr): evaluates expr (a StatusOr<T>), returns
// its status if not OK, else moves the value into lhs (which may declare a
// variable, e.g. `auto x`).
#ifndef PUENTE_COMMON_STATUS_MACROS_H_
#define PUENTE_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace puente::internal {
inline const absl::Status& ToStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
}  // namespace puente::internal

#define PUENTE_RETURN_IF_ERROR(expr)                                               \
  do {                                                                             \
    const auto& puente_status_ = (expr);                                           \
    if (!puente_status_.ok()) return ::puente::internal::ToStatus(puente_status_); \
  } while (0)

#define PUENTE_CONCAT_INNER_(a, b) a##b
#define PUENTE_CONCAT_(a, b) PUENTE_CONCAT_INNER_(a, b)
#define PUENTE_ASSIGN_OR_RETURN(lhs, expr) \
  PUENTE_ASSIGN_OR_RETURN_IMPL_(PUENTE_CONCAT_(puente_statusor_, __LINE__), lhs, expr)
#define PUENTE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // PUENTE_COMMON_STATUS_MACROS_H_
