#include "storage/internal/sequence_store.h"

#include "puente/common/strings.h"

namespace puente::registry::internal {

absl::StatusOr<long long> NextSequence(Tx& tx, const std::string& key, int year) {
  tx.sql() << "INSERT INTO registration_sequences (office_code, year, next_value) "
              "VALUES (:o, :y, 1) ON CONFLICT (office_code, year) DO NOTHING",
      soci::use(key), soci::use(year);
  tx.sql() << "UPDATE registration_sequences SET next_value = next_value + 1 "
              "WHERE office_code = :o AND year = :y",
      soci::use(key), soci::use(year);
  long long v = 0;
  tx.sql()
      << "SELECT next_value - 1 FROM registration_sequences WHERE office_code = :o AND year = :y",
      soci::use(key), soci::use(year), soci::into(v);
  if (v > 999999) {
    return absl::ResourceExhaustedError(
        puente::StrCat("office ", key, " has used every number of ", year));
  }
  return v;
}

}  // namespace puente::registry::internal
