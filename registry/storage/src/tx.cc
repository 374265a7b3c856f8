#include "storage/internal/tx.h"

#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"

namespace puente::registry::internal {

absl::StatusOr<std::string> NewUuid() {
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes b, crypto::RandomBytes(16));
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string h = crypto::HexEncode(b);
  return puente::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-",
                        h.substr(16, 4), "-", h.substr(20));
}

Tx::Tx(Database& db, const KeyRing& keys, const Clock& clock, const std::string& actor)
    : db_(db), sql_(Session(db)), keys_(keys), clock_(clock), actor_(actor) {}

absl::Status Tx::Audit(std::string action, std::string entity, std::string entity_id,
                       const nlohmann::json& details) {
  return AppendAuditEvent(
      db_, keys_, clock_,
      {actor_, std::move(action), std::move(entity), std::move(entity_id), DetailsJson(details)});
}

}  // namespace puente::registry::internal
