#include "storage/internal/card_store.h"

#include <vector>

#include "puente/common/status_macros.h"
#include "puente/registry/model.h"

namespace puente::registry::internal {

absl::StatusOr<int> RevokeActiveCards(Tx& tx, const std::string& where, const std::string& key,
                                      const std::string& reason) {
  std::vector<long long> serials;
  long long serial = 0;
  soci::statement q = (tx.sql().prepare << "SELECT serial FROM cards WHERE status = 'active' AND "
                                        << where << " ORDER BY serial",
                       soci::use(key), soci::into(serial));
  q.execute();
  while (q.fetch()) serials.push_back(serial);
  const std::string now = FormatTimestamp(tx.clock().Now());
  for (long long s : serials) {
    tx.sql() << "UPDATE cards SET status = 'revoked', revoked_at = :t, revoke_reason = :r "
                "WHERE serial = :s",
        soci::use(now), soci::use(reason), soci::use(s);
    PUENTE_RETURN_IF_ERROR(
        tx.Audit("card.revoke", "card", std::to_string(s), {{"reason", reason}}));
  }
  return static_cast<int>(serials.size());
}

}  // namespace puente::registry::internal
