// The registry: applicants and cases, stored through SOCI with personal data
// encrypted field by field, every access audited.
//
// Typical use:
//   auto master = LoadMasterKey("puente.key");
//   auto reg = Registry::Open("sqlite:puente.db", *master);
//   auto a = (*reg)->AddApplicant("jdoe", applicant);
//
// Every operation either fully happens, with its audit event(s), or leaves
// the database unchanged. `actor` is the authenticated user name recorded in
// the audit log. A Registry owns one connection: it is not thread-safe; open
// one per thread (each is cheap once the schema is migrated).
//
// Error codes: InvalidArgument (bad input; the message names the field),
// NotFound, AlreadyExists (duplicate registration number), FailedPrecondition
// (illegal status transition, schema not migrated, wrong master key),
// Aborted (concurrent edit), DataLoss (stored data fails to decrypt),
// Unavailable (database unreachable), Internal.
#ifndef PUENTE_REGISTRY_REGISTRY_H_
#define PUENTE_REGISTRY_REGISTRY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/common/clock.h"
#include "puente/crypto/secret_key.h"
#include "puente/registry/audit.h"
#include "puente/registry/database.h"
#include "puente/registry/keys.h"
#include "puente/registry/model.h"

namespace puente::registry {

namespace internal {
class Tx;
class RegistryAccess;
}  // namespace internal

class Registry {
 public:
  // Opens the database at `url` (see database.h), checks the schema is
  // current and unwraps the data keys with `master_key`. `clock` must
  // outlive the registry.
  static absl::StatusOr<std::unique_ptr<Registry>> Open(const std::string& url,
                                                        const crypto::SecretKey& master_key,
                                                        const Clock& clock = Clock::Real());

  // Validates and stores a new applicant; opens a new case for a principal
  // or adds a dependant to an existing one. Assigns the registration number.
  absl::StatusOr<Applicant> AddApplicant(const std::string& actor, NewApplicant in);

  // Looks up by registration number (check digit verified first).
  absl::StatusOr<Applicant> GetApplicant(const std::string& actor,
                                         const std::string& registration_number);

  // Applicants in registration order. Each returned record is audited as read.
  absl::StatusOr<std::vector<Applicant>> ListApplicants(const std::string& actor, int limit,
                                                        int offset);

  absl::StatusOr<Applicant> UpdateApplicant(const std::string& actor,
                                            const std::string& registration_number,
                                            const ApplicantUpdate& update);

  absl::StatusOr<Case> GetCase(const std::string& actor, const std::string& case_number);

  // Moves a case to `to` if the lifecycle allows it (see model.h). `reason`
  // is required; `effective` ("YYYY-MM-DD", default today) is the decision date.
  absl::StatusOr<Case> ChangeCaseStatus(const std::string& actor, const std::string& case_number,
                                        CaseStatus to, const std::string& reason,
                                        const std::string& effective = "");

  absl::StatusOr<AuditReport> VerifyAudit();

  Database& database() { return *db_; }
  const KeyRing& keys() const { return keys_; }
  // The clock the registry was opened with (timestamps, office dates).
  const Clock& clock() const { return clock_; }

 private:
  // The registry's capability libraries (births/, field/) reach its
  // internals through this one accessor (office/internal/registry_access.h).
  friend class internal::RegistryAccess;
  Registry(std::unique_ptr<Database> db, KeyRing keys, const Clock& clock);
  // AddApplicant's work inside the caller's transaction (`in` validated).
  absl::StatusOr<Applicant> InsertNewApplicant(internal::Tx& tx, const std::string& actor,
                                               const NewApplicant& in,
                                               const std::string& wanted_reg_no);
  std::unique_ptr<Database> db_;
  KeyRing keys_;
  const Clock& clock_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_REGISTRY_H_
