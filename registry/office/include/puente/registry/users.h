// Users, roles and sessions of the HTTP service. Passwords are stored as
// scrypt hashes (crypto/password.h); bearer tokens as their SHA-256.
// Not thread-safe (it shares its Registry's connection).
#ifndef PUENTE_REGISTRY_USERS_H_
#define PUENTE_REGISTRY_USERS_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "puente/registry/registry.h"

namespace puente::registry {

enum class Role { kOfficer, kSupervisor, kAuditor, kAdmin, kVerifier };
std::string_view ToString(Role r);  // "officer", ...
std::optional<Role> ParseRole(std::string_view s);

struct User {
  std::string name;
  Role role = Role::kOfficer;
  bool active = true;
};

class UserDirectory {
 public:
  explicit UserDirectory(Registry& registry) : registry_(registry) {}

  // AlreadyExists for a taken name; InvalidArgument for a bad name or a
  // password shorter than 10 characters.
  absl::StatusOr<User> AddUser(const std::string& actor, const std::string& name, Role role,
                               std::string_view password);
  // A new bearer token valid for `ttl`. Unauthenticated("wrong user name or
  // password") for any failure: one message, no oracle.
  absl::StatusOr<std::string> Login(const std::string& name, std::string_view password,
                                    absl::Duration ttl = absl::Hours(12));
  // Unauthenticated for an unknown, expired or revoked token.
  absl::StatusOr<User> Authenticate(std::string_view token);
  absl::Status Logout(std::string_view token);
  absl::StatusOr<int> CountUsers();

 private:
  Registry& registry_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_USERS_H_
