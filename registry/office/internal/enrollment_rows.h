// Enrollment rows as the office and the field libraries both read and
// write them: the AEAD contexts of their sealed columns, and the reader. Internal to registry/.
#ifndef PUENTE_REGISTRY_OFFICE_INTERNAL_ENROLLMENT_ROWS_H_
#define PUENTE_REGISTRY_OFFICE_INTERNAL_ENROLLMENT_ROWS_H_

#include <string>

#include "absl/status/statusor.h"
#include "puente/common/strings.h"
#include "puente/registry/enrollment.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

inline std::string PhotoCtx(const std::string& enrollment_id) {
  return puente::StrCat("enrollments.photo/", enrollment_id);
}
inline std::string TemplateCtx(const std::string& enrollment_id) {
  return puente::StrCat("enrollments.template/", enrollment_id);
}
inline std::string ReasonsCtx(const std::string& candidate_id) {
  return puente::StrCat("duplicate_candidates.reasons/", candidate_id);
}
inline std::string NoteCtx(const std::string& candidate_id) {
  return puente::StrCat("duplicate_candidates.note/", candidate_id);
}

// The enrollment row and candidates of `applicant`, read inside `tx` (the
// candidates' applicants audited as read).
absl::StatusOr<Enrollment> LoadEnrollment(Tx& tx, Applicant applicant);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_OFFICE_INTERNAL_ENROLLMENT_ROWS_H_
