#include "puente/registry/kits.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/births.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/tx.h"

namespace puente::registry {

using internal::Tx;

namespace {

constexpr int64_t kDay = 86400;

absl::Status ValidateKitId(const std::string& id) {
  bool ok = id.size() >= 3 && id.size() <= 32;
  for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) return absl::InvalidArgumentError("kit_id: 3 to 32 of a-z 0-9 -, e.g. darien-01");
  return absl::OkStatus();
}

int64_t Unix(const std::string& ts) {
  auto t = ParseTimestamp(ts);
  return t.ok() ? absl::ToUnixSeconds(*t) : 0;
}

constexpr char kKitSelect[] =
    "SELECT kit_id, office_code, kid, public_key, not_before, not_after, max_validity_days, "
    "status, region FROM kits ";

struct KitRow {
  std::string kit_id, office_code, kid, public_key, not_before, not_after, status, region;
  int max_validity_days = 0;
};

void BindKit(soci::statement& st, KitRow& r) {
  for (std::string* s :
       {&r.kit_id, &r.office_code, &r.kid, &r.public_key, &r.not_before, &r.not_after}) {
    st.exchange(soci::into(*s));
  }
  st.exchange(soci::into(r.max_validity_days));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.region));
}

absl::StatusOr<KitRecord> FromRow(const KitRow& r) {
  KitRecord k;
  k.kit_id = r.kit_id;
  k.office_code = r.office_code;
  PUENTE_ASSIGN_OR_RETURN(k.kid, crypto::HexDecode(r.kid));
  PUENTE_ASSIGN_OR_RETURN(k.public_key, crypto::Base64Decode(r.public_key));
  k.not_before = Unix(r.not_before);
  k.not_after = Unix(r.not_after);
  k.max_validity_days = r.max_validity_days;
  k.status = r.status;
  if (!r.region.empty()) k.region = puente::StrSplit(r.region, ',');
  return k;
}

}  // namespace

credentials::TrustedIssuer TrustEntryOf(const KitRecord& kit) {
  credentials::TrustedIssuer t;
  t.kid = kit.kid;
  t.alg = crypto::SignatureAlgorithm::kEd25519;
  t.public_key = kit.public_key;
  t.name = "kit " + kit.kit_id;
  t.not_before = kit.not_before;
  t.not_after = kit.not_after;
  t.card_types = {credentials::CardType::kAsylumSeeker, credentials::CardType::kRefugee,
                  credentials::CardType::kBirthAttestation};
  t.max_validity_seconds = int64_t{kit.max_validity_days} * kDay;
  t.provisional_only = true;
  return t;
}

absl::StatusOr<KitRecord> KitAuthority::Certify(const std::string& actor, const std::string& kit_id,
                                                const crypto::VerifyingKey& key, int valid_days,
                                                int max_validity_days) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateKitId(kit_id));
  if (key.algorithm() != crypto::SignatureAlgorithm::kEd25519) {
    return absl::InvalidArgumentError("key: kit keys are Ed25519");
  }
  if (valid_days < 1 || valid_days > 365) {
    return absl::InvalidArgumentError("valid_days: 1 to 365");
  }
  if (max_validity_days < 1 || max_validity_days > 90) {
    return absl::InvalidArgumentError("max_validity_days: 1 to 90 (kits sign short-lived cards)");
  }
  const Clock& clock = registry_.clock();
  KitRecord out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    const std::string kid = crypto::HexEncode(credentials::KeyIdOf(key));
    int taken = 0;
    tx.sql() << "SELECT count(*) FROM kits WHERE kit_id = :k OR kid = :d", soci::use(kit_id),
        soci::use(kid), soci::into(taken);
    if (taken > 0) {
      return absl::AlreadyExistsError(
          puente::StrCat("kit_id: ", kit_id, " or its key is already certified"));
    }
    std::string highest;
    soci::indicator ind;
    tx.sql() << "SELECT max(office_code) FROM kits", soci::into(highest, ind);
    const int next = ind == soci::i_ok ? std::stoi(highest) + 1 : kFirstKitOfficeCode;
    if (next > 999) return absl::ResourceExhaustedError("every kit office code (901-999) is taken");
    out.kit_id = kit_id;
    out.office_code = std::to_string(next);
    out.kid = credentials::KeyIdOf(key);
    out.public_key = key.raw();
    out.not_before = absl::ToUnixSeconds(clock.Now()) - kDay;
    out.not_after = absl::ToUnixSeconds(clock.Now()) + valid_days * kDay;
    out.max_validity_days = max_validity_days;
    out.status = "active";
    const std::string now = FormatTimestamp(clock.Now());
    const std::string pub = crypto::Base64Encode(out.public_key);
    const std::string nb = FormatTimestamp(absl::FromUnixSeconds(out.not_before));
    const std::string na = FormatTimestamp(absl::FromUnixSeconds(out.not_after));
    tx.sql() << "INSERT INTO kits (kit_id, office_code, kid, public_key, not_before, not_after, "
                "max_validity_days, status, certified_at, certified_by) VALUES (:k, :o, :d, :p, "
                ":nb, :na, :m, 'active', :c, :b)",
        soci::use(kit_id), soci::use(out.office_code), soci::use(kid), soci::use(pub),
        soci::use(nb), soci::use(na), soci::use(max_validity_days), soci::use(now),
        soci::use(actor);
    return tx.Audit("kit.certify", "kit", kit_id,
                    {{"office_code", out.office_code}, {"kid", kid}, {"not_after", na}});
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<KitRecord> KitAuthority::Get(const std::string& kit_id) {
  PUENTE_RETURN_IF_ERROR(ValidateKitId(kit_id));
  std::optional<KitRecord> out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    KitRow r;
    soci::statement st =
        (internal::Session(registry_.database()).prepare << kKitSelect << "WHERE kit_id = :k");
    BindKit(st, r);
    st.exchange(soci::use(kit_id));
    st.define_and_bind();
    if (!st.execute(true)) return absl::OkStatus();
    PUENTE_ASSIGN_OR_RETURN(out, FromRow(r));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!out) return absl::NotFoundError(puente::StrCat("kit ", kit_id, " is not certified here"));
  return *out;
}

absl::StatusOr<std::vector<KitRecord>> KitAuthority::List() {
  std::vector<KitRecord> out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    KitRow r;
    soci::statement st =
        (internal::Session(registry_.database()).prepare << kKitSelect << "ORDER BY office_code");
    BindKit(st, r);
    st.define_and_bind();
    st.execute();
    while (st.fetch()) {
      PUENTE_ASSIGN_OR_RETURN(KitRecord k, FromRow(r));
      out.push_back(std::move(k));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status KitAuthority::Retire(const std::string& actor, const std::string& kit_id) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateKitId(kit_id));
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    soci::statement st = (tx.sql().prepare << "UPDATE kits SET status = 'retired' WHERE kit_id = "
                                              ":k AND status = 'active'",
                          soci::use(kit_id));
    st.execute(true);
    if (st.get_affected_rows() != 1) {
      return absl::FailedPreconditionError(
          puente::StrCat("kit ", kit_id, " is not an active kit of this registry"));
    }
    return tx.Audit("kit.retire", "kit", kit_id);
  });
}

absl::Status KitAuthority::SetRegion(const std::string& actor, const std::string& kit_id,
                                     const std::vector<std::string>& offices) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateKitId(kit_id));
  for (const std::string& o : offices) {
    const bool digits = o.size() == 3 && std::all_of(o.begin(), o.end(), [](char ch) {
                          return ch >= '0' && ch <= '9';
                        });
    if (!digits || IsKitOfficeCode(o) || o == "000") {
      return absl::InvalidArgumentError(puente::StrCat(
          "region: '", o, "' is not an office code of the centre (3 digits, below 900)"));
    }
  }
  const std::string region = absl::StrJoin(offices, ",");
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    soci::statement st = (tx.sql().prepare << "UPDATE kits SET region = :r WHERE kit_id = :k",
                          soci::use(region), soci::use(kit_id));
    st.execute(true);
    if (st.get_affected_rows() != 1) {
      return absl::NotFoundError(puente::StrCat("kit ", kit_id, " is not certified here"));
    }
    return tx.Audit("kit.region", "kit", kit_id, {{"offices", offices}});
  });
}

// ---- the kit's own identity -------------------------------------------------

absl::Status InstallKitIdentity(Registry& registry, const std::string& actor,
                                const KitIdentity& id) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateKitId(id.kit_id));
  if (!IsKitOfficeCode(id.office_code)) {
    return absl::InvalidArgumentError("office_code: kits number with 901-999");
  }
  if (!id.key) return absl::InvalidArgumentError("key: the kit's signing key is missing");
  if (id.root_public_key.size() != 32 || id.centre_bundle_key.size() != 32) {
    return absl::InvalidArgumentError("the root key and the centre's bundle key are 32 bytes");
  }
  // The key is kept as PKCS#8 under a random passphrase, both sealed with the
  // field key: only this registry's master key opens it.
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes pass_raw, crypto::RandomBytes(24));
  const std::string pass = crypto::Base64Encode(pass_raw);
  PUENTE_ASSIGN_OR_RETURN(std::string pem, id.key->ToPem(pass));
  return InTransaction(registry.database(), [&]() -> absl::Status {
    Tx tx(registry.database(), registry.keys(), registry.clock(), actor);
    int existing = 0;
    tx.sql() << "SELECT count(*) FROM kit_identity", soci::into(existing);
    if (existing > 0) {
      return absl::AlreadyExistsError("this installation already has a kit identity");
    }
    PUENTE_ASSIGN_OR_RETURN(
        std::string key_enc,
        tx.keys().Seal(nlohmann::json{{"passphrase", pass}, {"pem", pem}}.dump(),
                       "kit_identity.signing_key/" + id.kit_id));
    const std::string na = FormatTimestamp(absl::FromUnixSeconds(id.not_after));
    const std::string now = FormatTimestamp(registry.clock().Now());
    const std::string root = crypto::Base64Encode(id.root_public_key);
    const std::string centre = crypto::Base64Encode(id.centre_bundle_key);
    const std::string seen =
        id.centre_time_seen > 0 ? FormatTimestamp(absl::FromUnixSeconds(id.centre_time_seen)) : now;
    tx.sql() << "INSERT INTO kit_identity (kit_id, office_code, signing_key_enc, not_after, "
                "max_validity_days, root_public_key, centre_bundle_key, centre_time_seen, "
                "created_at) VALUES (:k, :o, :s, :na, :m, :r, :c, :ts, :t)",
        soci::use(id.kit_id), soci::use(id.office_code), soci::use(key_enc), soci::use(na),
        soci::use(id.max_validity_days), soci::use(root), soci::use(centre), soci::use(seen),
        soci::use(now);
    return tx.Audit("kit.install", "kit", id.kit_id, {{"office_code", id.office_code}});
  });
}

namespace {

// The kit_identity row; with `open_key` its signing key is opened too.
absl::StatusOr<std::optional<KitIdentity>> ReadKitIdentity(Registry& registry, bool open_key) {
  std::optional<KitIdentity> out;
  absl::Status s = InTransaction(registry.database(), [&]() -> absl::Status {
    KitIdentity id;
    std::string key_enc, na, root, centre, seen;
    internal::Session(registry.database())
        << "SELECT kit_id, office_code, signing_key_enc, not_after, max_validity_days, "
           "root_public_key, centre_bundle_key, centre_time_seen, gallery_cursor FROM kit_identity",
        soci::into(id.kit_id), soci::into(id.office_code), soci::into(key_enc), soci::into(na),
        soci::into(id.max_validity_days), soci::into(root), soci::into(centre), soci::into(seen),
        soci::into(id.gallery_cursor);
    id.centre_time_seen = Unix(seen);
    if (!internal::Session(registry.database()).got_data()) return absl::OkStatus();
    if (open_key) {
      PUENTE_ASSIGN_OR_RETURN(
          std::string sealed,
          registry.keys().Open(key_enc, "kit_identity.signing_key/" + id.kit_id));
      nlohmann::json j = nlohmann::json::parse(sealed, nullptr, false);
      if (!j.is_object() || !j.contains("pem") || !j.contains("passphrase")) {
        return absl::DataLossError("stored kit key is damaged");
      }
      PUENTE_ASSIGN_OR_RETURN(credentials::SigningIdentity key,
                              credentials::SigningIdentity::FromPem(
                                  j["pem"].get<std::string>(), j["passphrase"].get<std::string>()));
      id.key = std::move(key);
    }
    id.not_after = Unix(na);
    PUENTE_ASSIGN_OR_RETURN(id.root_public_key, crypto::Base64Decode(root));
    PUENTE_ASSIGN_OR_RETURN(id.centre_bundle_key, crypto::Base64Decode(centre));
    out = std::move(id);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace

absl::StatusOr<std::optional<KitIdentity>> LoadKitIdentity(Registry& registry) {
  return ReadKitIdentity(registry, /*open_key=*/true);
}

absl::StatusOr<std::optional<KitIdentity>> LoadKitPublicIdentity(Registry& registry) {
  return ReadKitIdentity(registry, /*open_key=*/false);
}

CardAuthority KitCardAuthority(const KitIdentity& kit) {
  return CardAuthority{*kit.key, "PA-KIT-" + kit.kit_id, {}, kit.max_validity_days,
                       true,     kit.office_code};
}

// ---- jornadas -----------------------------------------------------------------

namespace {

constexpr char kJornadaSelect[] =
    "SELECT id, kit_id, location_code, starts_on, ends_on, officers, status, counts, "
    "created_at, closed_at FROM jornadas ";

struct JornadaRow {
  std::string id, kit_id, location, starts, ends, officers, status, counts, created, closed;
  soci::indicator kit_ind = soci::i_ok, counts_ind = soci::i_ok, closed_ind = soci::i_ok;
};

void BindJornada(soci::statement& st, JornadaRow& r) {
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.kit_id, r.kit_ind));
  for (std::string* s : {&r.location, &r.starts, &r.ends, &r.officers, &r.status}) {
    st.exchange(soci::into(*s));
  }
  st.exchange(soci::into(r.counts, r.counts_ind));
  st.exchange(soci::into(r.created));
  st.exchange(soci::into(r.closed, r.closed_ind));
}

Jornada FromRow(const JornadaRow& r) {
  Jornada j;
  j.id = r.id;
  j.kit_id = r.kit_ind == soci::i_ok ? r.kit_id : "";
  j.location_code = r.location;
  j.starts_on = r.starts;
  j.ends_on = r.ends;
  if (!r.officers.empty()) j.officers = puente::StrSplit(r.officers, ',');
  j.status = r.status;
  j.counts = r.counts_ind == soci::i_ok ? r.counts : "";
  j.created_at = r.created;
  j.closed_at = r.closed_ind == soci::i_ok ? r.closed : "";
  return j;
}

absl::StatusOr<Jornada> LoadJornada(Tx& tx, const std::string& id) {
  JornadaRow r;
  soci::statement st = (tx.sql().prepare << kJornadaSelect << "WHERE id = :i");
  BindJornada(st, r);
  st.exchange(soci::use(id));
  st.define_and_bind();
  if (!st.execute(true))
    return absl::NotFoundError(puente::StrCat("jornada ", id, " does not exist"));
  return FromRow(r);
}

}  // namespace

nlohmann::json ToJson(const Jornada& j) {
  nlohmann::json counts = nullptr;
  if (!j.counts.empty()) {
    counts = nlohmann::json::parse(j.counts, nullptr, false);
    if (counts.is_discarded()) counts = nullptr;
  }
  return {{"id", j.id},
          {"kit_id", j.kit_id},
          {"location_code", j.location_code},
          {"starts_on", j.starts_on},
          {"ends_on", j.ends_on},
          {"officers", j.officers},
          {"status", j.status},
          {"counts", counts},
          {"created_at", j.created_at},
          {"closed_at", j.closed_at}};
}

absl::StatusOr<Jornada> Jornadas::Open(const std::string& actor, const std::string& kit_id,
                                       const std::string& location_code,
                                       const std::string& starts_on, const std::string& ends_on,
                                       std::vector<std::string> officers) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  std::vector<std::string> errors;
  if (!kit_id.empty()) {
    if (auto s = ValidateKitId(kit_id); !s.ok()) errors.push_back(std::string(s.message()));
  }
  auto loc = ValidateFreeText("location_code", location_code, 32, true);
  if (!loc.ok()) errors.push_back(std::string(loc.status().message()));
  bool dates_ok = true;
  for (auto [field, date] : {std::pair{"starts_on", &starts_on}, std::pair{"ends_on", &ends_on}}) {
    if (auto s = ValidateCalendarDate(field, *date); !s.ok()) {
      errors.push_back(std::string(s.message()));
      dates_ok = false;
    }
  }
  if (dates_ok && ends_on < starts_on) errors.push_back("ends_on: before starts_on");
  if (officers.empty()) errors.push_back("officers: name at least one");
  for (const std::string& o : officers) {
    if (auto s = ValidateUserName("officers", o); !s.ok())
      errors.push_back(std::string(s.message()));
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  Jornada out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(std::string id, internal::NewUuid());
    const std::string now = FormatTimestamp(registry_.clock().Now());
    const std::string officer_list = absl::StrJoin(officers, ",");
    std::string kit = kit_id;
    soci::indicator kit_ind = kit.empty() ? soci::i_null : soci::i_ok;
    tx.sql() << "INSERT INTO jornadas (id, kit_id, location_code, starts_on, ends_on, officers, "
                "status, created_at, created_by) VALUES (:i, :k, :l, :s, :e, :o, 'open', :c, :b)",
        soci::use(id), soci::use(kit, kit_ind), soci::use(*loc), soci::use(starts_on),
        soci::use(ends_on), soci::use(officer_list), soci::use(now), soci::use(actor);
    PUENTE_RETURN_IF_ERROR(tx.Audit("jornada.open", "jornada", id, {{"location_code", *loc}}));
    PUENTE_ASSIGN_OR_RETURN(out, LoadJornada(tx, id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Jornada> Jornadas::Close(const std::string& actor, const std::string& id) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  Jornada out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Jornada j, LoadJornada(tx, id));
    if (j.status != "open") {
      return absl::FailedPreconditionError(puente::StrCat("jornada ", id, " is already closed"));
    }
    const std::string now = FormatTimestamp(registry_.clock().Now());
    int births = 0, attestations = 0, enrollments = 0, held = 0;
    tx.sql() << "SELECT count(*) FROM births WHERE jornada_id = :j", soci::use(id),
        soci::into(births);
    tx.sql() << "SELECT count(*) FROM births WHERE jornada_id = :j AND attestation_serial IS NOT "
                "NULL",
        soci::use(id), soci::into(attestations);
    // Enrollments made while the jornada was open (not people pulled from
    // the centre's regional snapshot).
    tx.sql() << "SELECT count(*) FROM enrollments WHERE created_at >= :a AND created_at <= :b "
                "AND applicant_id NOT IN (SELECT applicant_id FROM regional_refs)",
        soci::use(j.created_at), soci::use(now), soci::into(enrollments);
    tx.sql() << "SELECT count(*) FROM enrollments WHERE created_at >= :a AND created_at <= :b "
                "AND status = 'held' AND applicant_id NOT IN (SELECT applicant_id FROM "
                "regional_refs)",
        soci::use(j.created_at), soci::use(now), soci::into(held);
    const std::string counts = nlohmann::json{
        {"births", births},
        {"attestations", attestations},
        {"enrollments", enrollments},
        {"held_for_adjudication",
         held}}.dump();
    tx.sql() << "UPDATE jornadas SET status = 'closed', counts = :c, closed_at = :t WHERE id = :i",
        soci::use(counts), soci::use(now), soci::use(id);
    PUENTE_RETURN_IF_ERROR(tx.Audit("jornada.close", "jornada", id, nlohmann::json::parse(counts)));
    PUENTE_ASSIGN_OR_RETURN(out, LoadJornada(tx, id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<Jornada>> Jornadas::List() {
  std::vector<Jornada> out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    JornadaRow r;
    soci::statement st = (internal::Session(registry_.database()).prepare
                          << kJornadaSelect << "ORDER BY created_at, id");
    BindJornada(st, r);
    st.define_and_bind();
    st.execute();
    while (st.fetch()) out.push_back(FromRow(r));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace puente::registry
