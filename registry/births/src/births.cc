#include "puente/registry/births.h"

#include <soci/soci.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/credential.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/hpke.h"
#include "puente/crypto/mac.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/sequence_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {

using internal::Tx;
using nlohmann::json;

std::string_view ToString(ParentRole r) {
  switch (r) {
    case ParentRole::kMother:
      return "mother";
    case ParentRole::kFather:
      return "father";
    case ParentRole::kGuardian:
      return "guardian";
  }
  return "guardian";
}

std::optional<ParentRole> ParseParentRole(std::string_view s) {
  if (s == "mother") return ParentRole::kMother;
  if (s == "father") return ParentRole::kFather;
  if (s == "guardian") return ParentRole::kGuardian;
  return std::nullopt;
}

namespace {

constexpr char kBirthSelect[] =
    "SELECT id, birth_no_enc, record_enc, attestation_serial, attestation_enc, created_at, "
    "created_by FROM births ";

std::string RecordCtx(const std::string& id) { return puente::StrCat("births.record/", id); }
std::string NumberCtx(const std::string& id) { return puente::StrCat("births.birth_no/", id); }

json ParentJson(const BirthParent& p) {
  json j{{"role", ToString(p.role)}, {"full_name", p.full_name}};
  if (!p.registration_number.empty()) {
    j["registration_number"] = p.registration_number;
    j["identified_by"] = p.identified_by;
  }
  if (!p.nationality.empty()) j["nationality"] = p.nationality;
  if (p.document) {
    j["document"] = {{"type", ToString(p.document->type)},
                     {"country", p.document->issuing_country},
                     {"number", p.document->number}};
  }
  return j;
}

json RecordJson(const NewBirth& b) {
  json parents = json::array();
  for (const BirthParent& p : b.parents) parents.push_back(ParentJson(p));
  return {{"given_names", b.given_names}, {"surname1", b.surname1},
          {"surname2", b.surname2},       {"sex", ToString(b.sex)},
          {"born_on", b.born_on},         {"born_at", b.born_at},
          {"place_code", b.place_code},   {"place", b.place},
          {"facility", b.facility},       {"parents", parents},
          {"office_code", b.office_code}, {"jornada_id", b.jornada_id}};
}

absl::StatusOr<NewBirth> RecordFromJson(const json& j) {
  try {
    NewBirth b;
    b.given_names = j.at("given_names");
    b.surname1 = j.at("surname1");
    b.surname2 = j.at("surname2");
    b.sex = ParseSex(j.at("sex").get<std::string>()).value_or(Sex::kUnspecified);
    b.born_on = j.at("born_on");
    b.born_at = j.at("born_at");
    b.place_code = j.at("place_code");
    b.place = j.at("place");
    b.facility = j.at("facility");
    b.office_code = j.at("office_code");
    b.jornada_id = j.at("jornada_id");
    for (const json& pj : j.at("parents")) {
      BirthParent p;
      p.role = ParseParentRole(pj.at("role").get<std::string>()).value_or(ParentRole::kGuardian);
      p.full_name = pj.at("full_name");
      p.registration_number = pj.value("registration_number", "");
      p.identified_by = pj.value("identified_by", "");
      p.nationality = pj.value("nationality", "");
      if (pj.contains("document")) {
        IdentityDocument d;
        d.type = ParseDocumentType(pj["document"].at("type").get<std::string>())
                     .value_or(DocumentType::kOther);
        d.issuing_country = pj["document"].at("country");
        d.number = pj["document"].at("number");
        p.document = d;
      }
      b.parents.push_back(std::move(p));
    }
    return b;
  } catch (const json::exception&) {
    return absl::DataLossError("stored birth record is damaged");
  }
}

// Checks and normalises everything but the parents' links; every problem is
// reported at once.
absl::StatusOr<NewBirth> Validate(NewBirth in, absl::Time now, bool imported = false) {
  std::vector<std::string> errors;
  auto take = [&](const absl::Status& s) {
    if (!s.ok()) errors.push_back(std::string(s.message()));
  };
  auto name = [&](const char* field, std::string& v, bool required) {
    auto r = ValidateNamePart(field, v, required);
    if (r.ok())
      v = *r;
    else
      take(r.status());
  };
  name("given_names", in.given_names, true);
  name("surname1", in.surname1, true);
  name("surname2", in.surname2, false);
  if (auto d = ParseDateOfBirth(in.born_on, DatePrecision::kExact, now, "born_on"); !d.ok()) {
    take(d.status());
  }
  if (!in.born_at.empty()) {
    int h = -1, m = -1;
    if (in.born_at.size() != 5 || in.born_at[2] != ':' ||
        std::sscanf(in.born_at.c_str(), "%2d:%2d", &h, &m) != 2 || h < 0 || h > 23 || m < 0 ||
        m > 59) {
      errors.push_back(puente::StrCat("born_at: '", in.born_at, "' is not a time HH:MM"));
    }
  }
  auto text = [&](const char* field, std::string& v, size_t max, bool required) {
    auto r = ValidateFreeText(field, v, max, required);
    if (r.ok())
      v = *r;
    else
      take(r.status());
  };
  text("place_code", in.place_code, 32, true);
  text("place", in.place, 200, false);
  text("facility", in.facility, 200, true);
  take(ValidateOfficeCode(in.office_code));
  if (in.parents.empty()) {
    errors.push_back("parents: at least one parent or guardian is required");
  }
  int mothers = 0, fathers = 0;
  for (size_t i = 0; i < in.parents.size(); ++i) {
    BirthParent& p = in.parents[i];
    const std::string field = puente::StrCat("parents[", i, "]");
    mothers += p.role == ParentRole::kMother;
    fathers += p.role == ParentRole::kFather;
    if (!p.registration_number.empty()) {
      auto n = ParseRegistrationNumber(p.registration_number);
      if (!n.ok()) {
        errors.push_back(puente::StrCat(field, ".", n.status().message()));
      } else {
        p.registration_number = *n;
      }
      if (p.identified_by.empty()) p.identified_by = "registration_number";
      if (p.identified_by != "registration_number" && p.identified_by != "card" &&
          p.identified_by != "face") {
        errors.push_back(puente::StrCat(field, ".identified_by: '", p.identified_by,
                                        "' is not registration_number, card or face"));
      }
      if (!imported && (p.identified_by == "face") != !p.live_photo.empty()) {
        errors.push_back(puente::StrCat(field,
                                        ": a face check needs identified_by face and a "
                                        "live photo, and a live photo needs a face check"));
      }
      continue;
    }
    // Not enrolled: from their documents.
    auto full = ValidateFreeText(field + ".full_name", p.full_name, 200, true);
    if (full.ok())
      p.full_name = *full;
    else
      take(full.status());
    if (!p.nationality.empty()) {
      auto nat = ValidateNationality(field + ".nationality", p.nationality);
      if (nat.ok())
        p.nationality = *nat;
      else
        take(nat.status());
    }
    if (p.document) {
      auto d = ValidateDocument(*p.document);
      if (d.ok())
        p.document = *d;
      else
        errors.push_back(puente::StrCat(field, ".", d.status().message()));
    }
    p.identified_by = "documents";
  }
  if (mothers > 1 || fathers > 1) errors.push_back("parents: at most one mother and one father");
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  return in;
}

}  // namespace

absl::StatusOr<Birth> BirthRegistry::Register(const std::string& actor, NewBirth in) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  const Clock& clock = registry_.clock();
  PUENTE_ASSIGN_OR_RETURN(in, Validate(std::move(in), clock.Now()));
  // Face checks first: they read the enrolled template, and a mismatch must
  // stop the registration before anything is written.
  for (size_t i = 0; i < in.parents.size(); ++i) {
    BirthParent& p = in.parents[i];
    if (p.identified_by != "face") continue;
    PUENTE_ASSIGN_OR_RETURN(FaceVerification v,
                            enrollment_.VerifyFace(actor, p.registration_number, p.live_photo));
    if (!v.match) {
      return absl::PermissionDeniedError(absl::StrFormat(
          "parents[%d]: the live face does not match %s's enrolled face (similarity %.2f, "
          "threshold %.2f)",
          i, p.registration_number, v.similarity, v.threshold));
    }
    p.live_photo.clear();
  }
  Birth out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    // Enrolled parents: their names come from the registry.
    for (size_t i = 0; i < in.parents.size(); ++i) {
      BirthParent& p = in.parents[i];
      if (p.registration_number.empty()) continue;
      auto a = ReadApplicant(tx, p.registration_number, "applicant.read");
      if (!a.ok()) {
        return absl::Status(a.status().code(),
                            puente::StrCat("parents[", i, "].", a.status().message()));
      }
      p.full_name = absl::StrJoin({a->given_names, a->surname1, a->surname2}, " ");
      while (!p.full_name.empty() && p.full_name.back() == ' ') p.full_name.pop_back();
      p.nationality = a->nationality;
    }
    if (!in.jornada_id.empty()) {
      std::string status;
      tx.sql() << "SELECT status FROM jornadas WHERE id = :j", soci::use(in.jornada_id),
          soci::into(status);
      if (!tx.sql().got_data()) {
        return absl::NotFoundError(
            puente::StrCat("jornada_id: ", in.jornada_id, " does not exist"));
      }
      if (status != "open") {
        return absl::FailedPreconditionError(
            puente::StrCat("jornada_id: ", in.jornada_id, " is closed"));
      }
    }
    const int year =
        static_cast<int>(absl::ToCivilYear(clock.Now(), internal::OfficeZone()).year());
    std::string bidx;
    for (;;) {  // the office's counter, shared with applicants; skip numbers taken
      PUENTE_ASSIGN_OR_RETURN(long long n, NextSequence(tx, in.office_code, year));
      out.birth_number = FormatRegistrationNumber(in.office_code, year, n);
      PUENTE_ASSIGN_OR_RETURN(bidx, tx.keys().BlindIndex("reg_no", out.birth_number));
      PUENTE_ASSIGN_OR_RETURN(bool taken, RegistrationNumberTaken(tx, bidx));
      int births = 0;
      tx.sql() << "SELECT count(*) FROM births WHERE birth_no_bidx = :b", soci::use(bidx),
          soci::into(births);
      if (!taken && births == 0) break;
    }
    PUENTE_ASSIGN_OR_RETURN(out.id, internal::NewUuid());
    out.record = in;
    out.created_at = FormatTimestamp(clock.Now());
    out.created_by = actor;
    PUENTE_ASSIGN_OR_RETURN(std::string number_enc,
                            tx.keys().Seal(out.birth_number, NumberCtx(out.id)));
    PUENTE_ASSIGN_OR_RETURN(std::string record_enc,
                            tx.keys().Seal(BirthRecordToJson(in), RecordCtx(out.id)));
    std::string jornada = in.jornada_id;
    soci::indicator jornada_ind = jornada.empty() ? soci::i_null : soci::i_ok;
    tx.sql() << "INSERT INTO births (id, birth_no_bidx, birth_no_enc, record_enc, office_code, "
                "jornada_id, created_at, created_by) VALUES (:i, :b, :n, :r, :o, :j, :c, :by)",
        soci::use(out.id), soci::use(bidx), soci::use(number_enc), soci::use(record_enc),
        soci::use(in.office_code), soci::use(jornada, jornada_ind), soci::use(out.created_at),
        soci::use(actor);
    return tx.Audit("birth.register", "birth", out.id,
                    {{"office_code", in.office_code}, {"parents", in.parents.size()}});
  });
  if (!s.ok()) return s;
  return out;
}

namespace {

struct BirthRow {
  std::string id, number_enc, record_enc, created_at, created_by, attestation_enc;
  long long serial = 0;
  soci::indicator serial_ind = soci::i_null, attestation_ind = soci::i_null;
};

absl::StatusOr<Birth> Decrypt(const KeyRing& keys, const BirthRow& r) {
  Birth b;
  b.id = r.id;
  PUENTE_ASSIGN_OR_RETURN(b.birth_number, keys.Open(r.number_enc, NumberCtx(r.id)));
  PUENTE_ASSIGN_OR_RETURN(std::string record, keys.Open(r.record_enc, RecordCtx(r.id)));
  PUENTE_ASSIGN_OR_RETURN(b.record, BirthRecordFromJson(record));
  b.created_at = r.created_at;
  b.created_by = r.created_by;
  if (r.serial_ind == soci::i_ok) b.attestation_serial = static_cast<uint64_t>(r.serial);
  if (r.attestation_ind == soci::i_ok) {
    PUENTE_ASSIGN_OR_RETURN(
        b.attestation_qr,
        keys.Open(r.attestation_enc, puente::StrCat("births.attestation/", r.id)));
  }
  return b;
}

void BindBirth(soci::statement& st, BirthRow& r) {
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.number_enc));
  st.exchange(soci::into(r.record_enc));
  st.exchange(soci::into(r.serial, r.serial_ind));
  st.exchange(soci::into(r.attestation_enc, r.attestation_ind));
  st.exchange(soci::into(r.created_at));
  st.exchange(soci::into(r.created_by));
}

absl::StatusOr<Birth> ReadBirth(Tx& tx, const std::string& birth_number) {
  PUENTE_ASSIGN_OR_RETURN(std::string number, ParseRegistrationNumber(birth_number));
  PUENTE_ASSIGN_OR_RETURN(std::string bidx, tx.keys().BlindIndex("reg_no", number));
  BirthRow r;
  soci::statement st = (tx.sql().prepare << kBirthSelect << "WHERE birth_no_bidx = :b");
  BindBirth(st, r);
  st.exchange(soci::use(bidx));
  st.define_and_bind();
  if (!st.execute(true)) {
    return absl::NotFoundError(puente::StrCat("birth_number: ", number, " is not registered"));
  }
  PUENTE_ASSIGN_OR_RETURN(Birth b, Decrypt(tx.keys(), r));
  PUENTE_RETURN_IF_ERROR(tx.Audit("birth.read", "birth", b.id));
  return b;
}

// "Ana María Pérez (mother, 101-2026-000001-7)": who the attestation names.
std::string GuardianText(const NewBirth& b) {
  const BirthParent* chosen = nullptr;
  for (ParentRole want : {ParentRole::kMother, ParentRole::kGuardian, ParentRole::kFather}) {
    for (const BirthParent& p : b.parents) {
      if (p.role == want && chosen == nullptr) chosen = &p;
    }
  }
  if (chosen == nullptr) return "";
  // Printed on a Spanish-language document.
  const char* role = chosen->role == ParentRole::kMother   ? "madre"
                     : chosen->role == ParentRole::kFather ? "padre"
                                                           : "tutor/a";
  std::string s = puente::StrCat(chosen->full_name, " (", role);
  if (!chosen->registration_number.empty()) s += puente::StrCat(", ", chosen->registration_number);
  return s + ")";
}

}  // namespace

std::string BirthRecordToJson(const NewBirth& record) { return RecordJson(record).dump(); }

absl::StatusOr<NewBirth> BirthRecordFromJson(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (!j.is_object()) return absl::DataLossError("birth record is not a JSON object");
  return RecordFromJson(j);
}

namespace {

absl::Status BadField(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat(field, ": ", what));
}

// obj[key] as a string ("" when absent or null); InvalidArgument naming the
// field for any other type.
absl::StatusOr<std::string> RequestText(const json& obj, const std::string& key,
                                        const std::string& prefix = "") {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return BadField(prefix + key, "must be a string");
  return it->get<std::string>();
}

constexpr size_t kMaxParents = 4;

}  // namespace

absl::StatusOr<NewBirth> NewBirthFromRequestJson(const json& body) {
  if (!body.is_object()) return BadField("body", "must be a JSON object");
  NewBirth b;
  for (auto [key, into] :
       {std::pair{"given_names", &b.given_names}, std::pair{"surname1", &b.surname1},
        std::pair{"surname2", &b.surname2}, std::pair{"born_on", &b.born_on},
        std::pair{"born_at", &b.born_at}, std::pair{"place_code", &b.place_code},
        std::pair{"place", &b.place}, std::pair{"facility", &b.facility},
        std::pair{"office_code", &b.office_code}, std::pair{"jornada_id", &b.jornada_id}}) {
    PUENTE_ASSIGN_OR_RETURN(*into, RequestText(body, key));
  }
  PUENTE_ASSIGN_OR_RETURN(std::string sex, RequestText(body, "sex"));
  auto parsed_sex = ParseSex(sex.empty() ? "F" : sex);
  if (!parsed_sex) return BadField("sex", "F, M or X");
  b.sex = *parsed_sex;
  const auto parents = body.find("parents");
  if (parents == body.end() || parents->is_null()) return b;  // Register says one is needed
  if (!parents->is_array()) return BadField("parents", "must be an array of objects");
  if (parents->size() > kMaxParents) {
    return BadField("parents",
                    absl::StrFormat("%d parents, the limit is %d", parents->size(), kMaxParents));
  }
  for (size_t i = 0; i < parents->size(); ++i) {
    const json& pj = (*parents)[i];
    const std::string field = absl::StrFormat("parents[%d]", i);
    if (!pj.is_object()) return BadField(field, "must be an object");
    const std::string p = field + ".";
    BirthParent parent;
    PUENTE_ASSIGN_OR_RETURN(std::string role, RequestText(pj, "role", p));
    auto parsed_role = ParseParentRole(role);
    if (!parsed_role) return BadField(p + "role", "mother, father or guardian");
    parent.role = *parsed_role;
    PUENTE_ASSIGN_OR_RETURN(parent.registration_number, RequestText(pj, "registration_number", p));
    PUENTE_ASSIGN_OR_RETURN(parent.full_name, RequestText(pj, "full_name", p));
    PUENTE_ASSIGN_OR_RETURN(parent.nationality, RequestText(pj, "nationality", p));
    const auto doc = pj.find("document");
    if (doc != pj.end() && !doc->is_null()) {
      if (!doc->is_object()) return BadField(p + "document", "must be an object");
      IdentityDocument d;
      PUENTE_ASSIGN_OR_RETURN(std::string type, RequestText(*doc, "type", p + "document."));
      auto parsed_type = ParseDocumentType(type);
      if (!parsed_type) {
        return BadField(p + "document.type",
                        "passport, national_id, birth_certificate, travel_document or other");
      }
      d.type = *parsed_type;
      PUENTE_ASSIGN_OR_RETURN(d.issuing_country, RequestText(*doc, "country", p + "document."));
      PUENTE_ASSIGN_OR_RETURN(d.number, RequestText(*doc, "number", p + "document."));
      if (!d.number.empty() || !d.issuing_country.empty()) parent.document = d;
    }
    if (!parent.registration_number.empty()) parent.identified_by = "registration_number";
    b.parents.push_back(std::move(parent));
  }
  return b;
}

absl::StatusOr<BirthAttestation> StoredAttestation(const Birth& birth) {
  if (!birth.attestation_serial || birth.attestation_qr.empty()) {
    return absl::FailedPreconditionError(
        puente::StrCat("birth_number: ", birth.birth_number, " has no attestation yet"));
  }
  BirthAttestation out;
  out.serial = *birth.attestation_serial;
  out.qr_text = birth.attestation_qr;
  PUENTE_ASSIGN_OR_RETURN(credentials::DecodedCredential d,
                          credentials::DecodeCredential(out.qr_text));
  PUENTE_ASSIGN_OR_RETURN(out.card, credentials::internal::CardFromClaims(
                                        d.cwt_claims_cbor, d.claim169, d.meta, nullptr));
  return out;
}

absl::StatusOr<bool> BirthRegistry::ImportBirth(const std::string& actor, const Birth& b) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string number, ParseRegistrationNumber(b.birth_number));
  PUENTE_ASSIGN_OR_RETURN(NewBirth record, Validate(b.record, registry_.clock().Now(), true));
  if (b.id.size() != 36) return absl::InvalidArgumentError("birth id: not a UUID");
  bool added = false;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    int present = 0;
    tx.sql() << "SELECT count(*) FROM births WHERE id = :i", soci::use(b.id), soci::into(present);
    if (present > 0) return absl::OkStatus();
    PUENTE_ASSIGN_OR_RETURN(std::string bidx, tx.keys().BlindIndex("reg_no", number));
    PUENTE_ASSIGN_OR_RETURN(std::string number_enc, tx.keys().Seal(number, NumberCtx(b.id)));
    PUENTE_ASSIGN_OR_RETURN(std::string record_enc,
                            tx.keys().Seal(BirthRecordToJson(b.record), RecordCtx(b.id)));
    long long serial = b.attestation_serial ? static_cast<long long>(*b.attestation_serial) : 0;
    soci::indicator serial_ind = b.attestation_serial ? soci::i_ok : soci::i_null;
    std::string qr_enc;
    if (!b.attestation_qr.empty()) {
      PUENTE_ASSIGN_OR_RETURN(
          qr_enc, tx.keys().Seal(b.attestation_qr, puente::StrCat("births.attestation/", b.id)));
    }
    soci::indicator qr_ind = qr_enc.empty() ? soci::i_null : soci::i_ok;
    // The jornada is the kit's; it is imported with the bundle before births.
    std::string jornada = record.jornada_id;
    soci::indicator jornada_ind = jornada.empty() ? soci::i_null : soci::i_ok;
    tx.sql() << "INSERT INTO births (id, birth_no_bidx, birth_no_enc, record_enc, office_code, "
                "jornada_id, attestation_serial, attestation_enc, created_at, created_by) VALUES "
                "(:i, :b, :n, :r, :o, :j, :s, :q, :c, :by)",
        soci::use(b.id), soci::use(bidx), soci::use(number_enc), soci::use(record_enc),
        soci::use(record.office_code), soci::use(jornada, jornada_ind),
        soci::use(serial, serial_ind), soci::use(qr_enc, qr_ind), soci::use(b.created_at),
        soci::use(b.created_by);
    added = true;
    return tx.Audit("birth.import", "birth", b.id, {{"office_code", record.office_code}});
  });
  if (!s.ok()) return s;
  return added;
}

absl::StatusOr<BirthAttestation> BirthRegistry::Attest(const std::string& actor,
                                                       const std::string& birth_number,
                                                       const CardAuthority& authority) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  const Clock& clock = registry_.clock();
  BirthAttestation out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    PUENTE_ASSIGN_OR_RETURN(Birth b, ReadBirth(tx, birth_number));
    if (b.attestation_serial) {
      return absl::FailedPreconditionError(puente::StrCat(
          "birth_number: ", b.birth_number, " already has attestation ", *b.attestation_serial));
    }
    const NewBirth& r = b.record;
    const int year =
        static_cast<int>(absl::ToCivilYear(clock.Now(), internal::OfficeZone()).year());
    PUENTE_ASSIGN_OR_RETURN(long long n, NextSequence(tx, "card", year));
    credentials::Card& card = out.card;
    card.type = credentials::CardType::kBirthAttestation;
    card.serial = CardSerial(IsKitOfficeCode(r.office_code) ? r.office_code : "", year, n);
    card.issuer = authority.issuer_name;
    card.provisional = authority.provisional;
    card.issued_at = card.not_before = absl::ToUnixSeconds(clock.Now());
    card.expires_at = card.issued_at + int64_t{authority.validity_days} * 86400;
    card.holder.id = b.birth_number;
    std::string full = puente::StrCat(r.given_names, " ", r.surname1);
    if (!r.surname2.empty()) full += " " + r.surname2;
    card.holder.full_name = full;
    card.holder.date_of_birth =
        puente::StrCat(r.born_on.substr(0, 4), r.born_on.substr(5, 2), r.born_on.substr(8, 2));
    card.holder.gender = r.sex == Sex::kMale ? 1 : r.sex == Sex::kFemale ? 2 : 3;
    card.holder.guardian = GuardianText(r);
    card.holder.location_code = r.place_code;
    card.holder.legal_status = "birth-registered";
    PUENTE_ASSIGN_OR_RETURN(out.qr_text, credentials::IssueCard(card, authority.issuer));
    out.serial = card.serial;
    const long long serial_ll = static_cast<long long>(card.serial);
    PUENTE_ASSIGN_OR_RETURN(
        std::string qr_enc,
        tx.keys().Seal(out.qr_text, puente::StrCat("births.attestation/", b.id)));
    tx.sql() << "UPDATE births SET attestation_serial = :s, attestation_enc = :q WHERE id = :i",
        soci::use(serial_ll), soci::use(qr_enc), soci::use(b.id);
    return tx.Audit(
        "birth.attest", "birth", b.id,
        {{"serial", card.serial}, {"issuer_kid", crypto::HexEncode(authority.issuer.kid())}});
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Birth> BirthRegistry::Get(const std::string& actor,
                                         const std::string& birth_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  Birth out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(out, ReadBirth(tx, birth_number));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<Birth>> ListBirths(Registry& registry_, const std::string& actor,
                                              int limit, int offset) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (limit < 1 || limit > 10000 || offset < 0) {
    return absl::InvalidArgumentError("limit: 1..10000, offset: 0 or more");
  }
  std::vector<Birth> out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    BirthRow r;
    soci::statement st =
        (tx.sql().prepare << kBirthSelect << "ORDER BY created_at, id LIMIT :l OFFSET :o");
    BindBirth(st, r);
    st.exchange(soci::use(limit));
    st.exchange(soci::use(offset));
    st.define_and_bind();
    st.execute();
    while (st.fetch()) {
      PUENTE_ASSIGN_OR_RETURN(Birth b, Decrypt(tx.keys(), r));
      out.push_back(std::move(b));
    }
    for (const Birth& b : out)
      PUENTE_RETURN_IF_ERROR(tx.Audit("birth.read", "birth", b.id, {{"via", "list"}}));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// ---- the civil registry's batch ------------------------------------------------

namespace {
constexpr char kBatchFormat[] = "puente-births-batch/1";

json BatchBody(const json& batch) {
  json body = batch;
  body.erase("signature");
  return body;
}
}  // namespace

absl::StatusOr<std::string> ExportBirthBatch(Registry& registry, const std::string& actor,
                                             const credentials::SigningIdentity& signer,
                                             const std::string& issuer_name,
                                             std::string_view recipient_public_key,
                                             const std::string& since) {
  if (!since.empty()) PUENTE_RETURN_IF_ERROR(ValidateCalendarDate("since", since));
  json births = json::array();
  for (int offset = 0;; offset += 1000) {
    PUENTE_ASSIGN_OR_RETURN(std::vector<Birth> page, ListBirths(registry, actor, 1000, offset));
    for (const Birth& b : page) {
      if (!since.empty() && b.created_at.substr(0, 10) < since) continue;
      json record = RecordJson(b.record);
      const std::string office = record["office_code"];
      record.erase("jornada_id");
      record.erase("office_code");
      births.push_back({{"birth_number", b.birth_number},
                        {"registered_at", b.created_at},
                        {"registered_by", b.created_by},
                        {"registering_office", office},
                        {"attestation_serial",
                         b.attestation_serial ? json(*b.attestation_serial) : json(nullptr)},
                        {"record", record}});
    }
    if (page.size() < 1000) break;
  }
  std::sort(births.begin(), births.end(), [](const json& a, const json& b) {
    return a["birth_number"].get<std::string>() < b["birth_number"].get<std::string>();
  });
  const std::string generated = FormatTimestamp(registry.clock().Now());
  const std::string content =
      json{{"generated_at", generated}, {"issuer", issuer_name}, {"births", births}}.dump();
  const std::string kid = crypto::HexEncode(signer.kid());
  PUENTE_ASSIGN_OR_RETURN(crypto::HpkeSealed sealed,
                          crypto::HpkeSeal(recipient_public_key, kBatchFormat, kid, content));
  json batch{
      {"format", kBatchFormat},
      {"issuer", issuer_name},
      {"kid", kid},
      {"generated_at", generated},
      {"count", births.size()},
      {"recipient_kid", crypto::HexEncode(credentials::InstitutionKeyIdOf(recipient_public_key))},
      {"enc", crypto::Base64Encode(sealed.enc)},
      {"ciphertext", crypto::Base64Encode(sealed.ciphertext)}};
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes sig, signer.key().Sign(BatchBody(batch).dump()));
  batch["signature"] = crypto::Base64Encode(sig);
  PUENTE_RETURN_IF_ERROR(InTransaction(registry.database(), [&]() -> absl::Status {
    Tx tx(registry.database(), registry.keys(), registry.clock(), actor);
    return tx.Audit("birth.export", "births", generated,
                    {{"count", births.size()}, {"since", since}, {"issuer_kid", kid}});
  }));
  return batch.dump(2) + "\n";
}

absl::StatusOr<nlohmann::json> OpenBirthBatch(std::string_view text,
                                              const crypto::VerifyingKey& signer,
                                              const credentials::InstitutionKey& recipient) {
  const auto bad = [](const std::string& what) {
    return absl::InvalidArgumentError("birth batch: " + what);
  };
  json batch = json::parse(text, nullptr, false);
  if (!batch.is_object() || batch.value("format", "") != kBatchFormat) {
    return bad("not a puente birth batch");
  }
  for (const char* key : {"kid", "signature", "enc", "ciphertext"}) {
    if (!batch.contains(key) || !batch[key].is_string()) return bad(std::string(key) + " missing");
  }
  auto sig = crypto::Base64Decode(batch["signature"].get<std::string>());
  if (!sig.ok() || !signer.Verify(BatchBody(batch).dump(), *sig).ok()) {
    return bad("the signature does not verify with the issuer's key");
  }
  auto enc = crypto::Base64Decode(batch["enc"].get<std::string>());
  auto ct = crypto::Base64Decode(batch["ciphertext"].get<std::string>());
  if (!enc.ok() || !ct.ok()) return bad("enc or ciphertext is not base64");
  auto plain =
      crypto::HpkeOpen(recipient.key(), *enc, kBatchFormat, batch["kid"].get<std::string>(), *ct);
  if (!plain.ok()) return bad("cannot be opened with this key");
  json content = json::parse(*plain, nullptr, false);
  if (!content.is_object() || !content.contains("births")) return bad("content is malformed");
  return content;
}

}  // namespace puente::registry
