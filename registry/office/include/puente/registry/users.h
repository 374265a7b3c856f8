// Users, roles and sessions of the HTTP service. Passwords are stored as
// scrypt hashes (crypto/password.h); bearer tokens as their SHA-256.
//
// Logins are throttled per account and per client address (docs/security.md,
// "Login throttling"): failures count while each comes within
// kFailureWindow of the previous one; from the kAccountBackoffAfter-th
// failure of an account the next attempt must wait 2^(n - 5) s (1, 2, 4, 8,
// 16 s), and at kAccountLockAfter failures the account is locked for
// kLockout. An address gets the same from kAddressBackoffAfter and
// kAddressLockAfter failures (an office's machines may share one address). An
// attempt while locked is refused without checking the password
// (ResourceExhausted, "too many failed logins: try again in N s"); a
// successful login clears its account's count; an admin can unlock either.
// Unknown names are throttled like known ones, so the answer tells nothing.
// Names and addresses are kept only as keyed blind indexes.
//
// Every failed login leaves an audit event "session.login_failed" (never the
// password; the attempted name only when it is an existing account).
//
// Not thread-safe (it shares its Registry's connection).
#ifndef PUENTE_REGISTRY_USERS_H_
#define PUENTE_REGISTRY_USERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "puente/registry/registry.h"

namespace puente::registry {

// kAnalyst sees statistics releases only, never a person (docs/statistics.md).
enum class Role { kOfficer, kSupervisor, kAuditor, kAdmin, kVerifier, kAnalyst };
// Every role, in declaration order (for checks that must cover them all).
inline constexpr Role kAllRoles[] = {Role::kOfficer, Role::kSupervisor, Role::kAuditor,
                                     Role::kAdmin,   Role::kVerifier,   Role::kAnalyst};
std::string_view ToString(Role r);  // "officer", ...
std::optional<Role> ParseRole(std::string_view s);

struct User {
  std::string name;
  Role role = Role::kOfficer;
  bool active = true;
};

// What an admin sees of an account: never any password material.
struct UserAccount {
  std::string name;
  Role role = Role::kOfficer;
  bool active = true;
  // Locked after failed logins (or backing off) until `locked_until`, a
  // timestamp; "" when a login would be checked now.
  bool locked = false;
  std::string locked_until;
  int failed_logins = 0;  // counted within the failure window
  std::string created_at, created_by;
};

inline constexpr int kAccountBackoffAfter = 5;
inline constexpr int kAccountLockAfter = 10;
inline constexpr int kAddressBackoffAfter = 20;
inline constexpr int kAddressLockAfter = 40;
inline constexpr absl::Duration kLockout = absl::Minutes(15);
inline constexpr absl::Duration kFailureWindow = absl::Minutes(15);

class UserDirectory {
 public:
  explicit UserDirectory(Registry& registry) : registry_(registry) {}

  // AlreadyExists for a taken name; InvalidArgument for a bad name or a
  // password the policy refuses (password_policy.h).
  absl::StatusOr<User> AddUser(const std::string& actor, const std::string& name, Role role,
                               std::string_view password);
  // A new bearer token valid for `ttl`, for a login from `address` (the
  // client's IP address; "" when there is none, e.g. a local tool: then only
  // the account is throttled). Unauthenticated("wrong user name or password")
  // for any wrong name, password or disabled account: one message, no oracle.
  // ResourceExhausted while the account or address is locked (see above).
  // Also purges expired sessions. The password hash is checked outside any
  // database transaction.
  absl::StatusOr<std::string> Login(const std::string& name, std::string_view password,
                                    const std::string& address,
                                    absl::Duration ttl = absl::Hours(12));
  absl::StatusOr<std::string> Login(const std::string& name, std::string_view password,
                                    absl::Duration ttl = absl::Hours(12)) {
    return Login(name, password, "", ttl);
  }

  // Login in three steps, for a caller that checks the password without
  // holding this directory's connection (the server checks it on the
  // request's thread, so a flood of wrong passwords cannot occupy every
  // database worker): PrepareLogin reads the lock and the stored hash (a
  // read; ResourceExhausted while locked), CheckPassword does the scrypt work
  // (no database; thread-safe), CompleteLogin records the outcome and answers
  // as Login does. Login(...) is exactly these three.
  struct LoginAttempt {
    std::string name, address;
    std::string user_subject, address_subject;  // "" when not throttled
    bool well_formed = false, known = false, active = false;
    std::string hash;  // the stored scrypt hash, or that of no password
    absl::Time at;
  };
  absl::StatusOr<LoginAttempt> PrepareLogin(const std::string& name, const std::string& address);
  static bool CheckPassword(const LoginAttempt& attempt, std::string_view password);
  absl::StatusOr<std::string> CompleteLogin(const LoginAttempt& attempt, bool password_ok,
                                            absl::Duration ttl = absl::Hours(12));
  // Unauthenticated for an unknown, expired or revoked token. A read: takes
  // no write lock.
  absl::StatusOr<User> Authenticate(std::string_view token);
  absl::Status Logout(std::string_view token);
  absl::StatusOr<int> CountUsers();

  // Every account, by name. A read (no write lock); not audited: it holds
  // no personal data of applicants.
  absl::StatusOr<std::vector<UserAccount>> ListUsers();

  // Disables (every session of the user ends) or enables an account.
  // NotFound for an unknown name; FailedPrecondition when an admin would
  // disable themself or the last active admin.
  absl::Status SetActive(const std::string& actor, const std::string& name, bool active);
  // Gives `name` another role; every session of the user ends (a token
  // never carries a role it was not opened with) and the change is audited
  // ("user.role_change", from and to). NotFound for an unknown name;
  // FailedPrecondition when the user already has that role, or when it
  // would leave no active admin (concurrent changes are serialised, so two
  // admins cannot demote each other at once).
  absl::Status ChangeRole(const std::string& actor, const std::string& name, Role role);
  // The holder of `token` changes their own password: Unauthenticated for a
  // bad token or a wrong current password (which counts as a failed login);
  // InvalidArgument "new_password: ..." for one the policy refuses. Every
  // other session of the user ends.
  absl::Status ChangeOwnPassword(std::string_view token, std::string_view current_password,
                                 std::string_view new_password);
  // An admin sets a new password; every session of the user ends and the
  // account is unlocked. NotFound for an unknown name.
  absl::Status ResetPassword(const std::string& actor, const std::string& name,
                             std::string_view new_password);
  // Ends every session of `name`; the number ended. NotFound if unknown.
  absl::StatusOr<int> RevokeSessions(const std::string& actor, const std::string& name);
  // Clears the failed-login count and lock of an account or an address.
  absl::Status Unlock(const std::string& actor, const std::string& name);
  absl::Status UnlockAddress(const std::string& actor, const std::string& address);
  // Deletes sessions past their expiry (logins do it too); the number.
  absl::StatusOr<int> PurgeExpiredSessions(const std::string& actor);

 private:
  absl::StatusOr<std::string> Subject(std::string_view kind, std::string_view value) const;
  Registry& registry_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_USERS_H_
