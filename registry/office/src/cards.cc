#include "puente/registry/cards.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/biometrics/card_template.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/credential.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/card_serial.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/card_store.h"
#include "storage/internal/case_store.h"
#include "storage/internal/sequence_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {
namespace {

using credentials::CardType;
using internal::Tx;

std::string QrCtx(uint64_t serial) { return puente::StrCat("cards.qr/", serial); }

bool CaseAllows(CardType type, CaseStatus status) {
  switch (type) {
    case CardType::kAsylumSeeker:
      return status == CaseStatus::kRegistered || status == CaseStatus::kAdmitted ||
             status == CaseStatus::kRejected || status == CaseStatus::kAppeal;
    case CardType::kRefugee:
      return status == CaseStatus::kRecognized;
    case CardType::kBirthAttestation:
      return false;  // issued by birth registration (field kits), not here
  }
  return false;
}

int64_t UnixSeconds(const Clock& clock) { return absl::ToUnixSeconds(clock.Now()); }

std::string TimestampOf(int64_t unix_seconds) {
  return FormatTimestamp(absl::FromUnixSeconds(unix_seconds));
}

// The enrollment of `applicant_id`: id, status, sealed template and photo.
struct EnrollmentRow {
  std::string id, status, template_enc, photo_enc, quality;
};

absl::StatusOr<EnrollmentRow> LoadEnrollmentRow(Tx& tx, const Applicant& a) {
  EnrollmentRow r;
  tx.sql() << "SELECT id, status, template_enc, photo_enc, quality FROM enrollments "
              "WHERE applicant_id = :a",
      soci::use(a.id), soci::into(r.id), soci::into(r.status), soci::into(r.template_enc),
      soci::into(r.photo_enc), soci::into(r.quality);
  if (!tx.sql().got_data()) {
    return absl::FailedPreconditionError(puente::StrCat(
        "registration_number: ", a.registration_number, " is not enrolled (no face photo)"));
  }
  return r;
}

void AttachPhoto(Tx& tx, const EnrollmentRow& row, IssuedCard& out) {
  auto photo = tx.keys().Open(row.photo_enc, puente::StrCat("enrollments.photo/", row.id));
  if (photo.ok()) out.photo = std::move(*photo);
  const auto q = nlohmann::json::parse(row.quality, nullptr, false);
  if (q.is_object() && q.contains("box") && q["box"].is_array()) {
    for (const auto& v : q["box"]) out.face_box.push_back(v.get<int>());
  }
}

}  // namespace

absl::StatusOr<IssuedCard> CardOffice::Issue(const std::string& actor,
                                             const std::string& registration_number,
                                             CardType type) {
  return IssueInternal(actor, registration_number, type, std::nullopt, "");
}

absl::StatusOr<IssuedCard> CardOffice::IssueInternal(const std::string& actor,
                                                     const std::string& registration_number,
                                                     CardType type,
                                                     std::optional<uint64_t> replaces,
                                                     const std::string& replace_reason) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  const Clock& clock = registry_.clock();
  IssuedCard out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicant(tx, reg_no, "applicant.read"));
    PUENTE_ASSIGN_OR_RETURN(EnrollmentRow enr, LoadEnrollmentRow(tx, a));
    if (enr.status != "cleared") {
      return absl::FailedPreconditionError(puente::StrCat(
          "registration_number: ", reg_no, " has an enrollment that is ", enr.status,
          enr.status == "held" ? "; a supervisor must clear its duplicate candidates first" : ""));
    }
    PUENTE_ASSIGN_OR_RETURN(Case c, LoadCase(tx, a.case_number));
    if (!CaseAllows(type, c.status)) {
      return absl::FailedPreconditionError(
          puente::StrCat("type: no ", credentials::CardTypeName(type), " card for a case that is ",
                         ToString(c.status)));
    }
    const std::string type_name(credentials::CardTypeName(type));
    if (replaces) {
      const std::string reason = puente::StrCat("replaced: ", replace_reason);
      PUENTE_RETURN_IF_ERROR(
          RevokeActiveCards(tx, "serial = CAST(:k AS BIGINT)", std::to_string(*replaces), reason));
    }
    int active = 0;  // a final card may confirm a provisional one (a kit's)
    const int only_final = authority_.provisional ? 0 : 1;
    tx.sql() << "SELECT count(*) FROM cards WHERE applicant_id = :a AND card_type = :t AND "
                "status = 'active' AND (provisional = 0 OR :f = 0)",
        soci::use(a.id), soci::use(type_name), soci::use(only_final), soci::into(active);
    if (active > 0) {
      return absl::FailedPreconditionError(puente::StrCat("registration_number: ", reg_no,
                                                          " already has an active ", type_name,
                                                          " card; replace or renew it"));
    }
    if (type == CardType::kRefugee) {
      PUENTE_RETURN_IF_ERROR(RevokeActiveCards(tx,
                                               "applicant_id = :k AND card_type = 'asylum-seeker'",
                                               a.id, "superseded by a refugee card"));
    }
    const int year =
        static_cast<int>(absl::ToCivilYear(clock.Now(), internal::OfficeZone()).year());
    PUENTE_ASSIGN_OR_RETURN(long long n, NextSequence(tx, "card", year));
    const uint64_t serial = CardSerial(authority_.kit_office_code, year, n);

    credentials::Card& card = out.card;
    card.type = type;
    card.serial = serial;
    card.issuer = authority_.issuer_name;
    card.provisional = authority_.provisional;
    card.issued_at = card.not_before = UnixSeconds(clock);
    card.expires_at = card.issued_at + int64_t{authority_.validity_days} * 86400;
    card.holder.id = a.registration_number;
    std::string full = a.given_names + " " + a.surname1;
    if (!a.surname2.empty()) full += " " + a.surname2;
    card.holder.full_name = full;
    if (a.date_of_birth.precision != DatePrecision::kYearOnly) {
      card.holder.date_of_birth = absl::StrFormat("%04d%02d%02d", a.date_of_birth.year,
                                                  a.date_of_birth.month, a.date_of_birth.day);
    }
    card.holder.gender = a.sex == Sex::kMale ? 1 : a.sex == Sex::kFemale ? 2 : 3;
    card.holder.nationality = a.nationality;
    card.holder.legal_status = type_name;
    card.entitlements = {{type == CardType::kRefugee ? "work-permit" : "asylum-application-active",
                          card.expires_at}};
    if (!authority_.recipients.empty()) {
      PUENTE_ASSIGN_OR_RETURN(
          std::string tmpl_bytes,
          tx.keys().Open(enr.template_enc, puente::StrCat("enrollments.template/", enr.id)));
      PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate tmpl,
                              biometrics::FaceTemplate::Parse(tmpl_bytes));
      card.sealed = credentials::SealedSection{
          biometrics::CardTemplate::FromTemplate(tmpl).Serialize(), c.case_number, {}};
    }
    PUENTE_ASSIGN_OR_RETURN(out.qr_text,
                            credentials::IssueCard(card, authority_.issuer, authority_.recipients));
    PUENTE_ASSIGN_OR_RETURN(std::string qr_enc, tx.keys().Seal(out.qr_text, QrCtx(serial)));
    const long long serial_ll = static_cast<long long>(serial);
    const std::string kid = crypto::HexEncode(authority_.issuer.kid());
    const std::string issued = TimestampOf(card.issued_at), expires = TimestampOf(card.expires_at);
    long long replaces_ll = replaces ? static_cast<long long>(*replaces) : 0;
    soci::indicator replaces_ind = replaces ? soci::i_ok : soci::i_null;
    const int provisional = card.provisional ? 1 : 0;
    tx.sql() << "INSERT INTO cards (serial, applicant_id, card_type, issuer_kid, issued_at, "
                "expires_at, status, replaces, qr_enc, created_by, provisional) VALUES (:s, :a, "
                ":t, :k, :i, :e, 'active', :r, :q, :b, :p)",
        soci::use(serial_ll), soci::use(a.id), soci::use(type_name), soci::use(kid),
        soci::use(issued), soci::use(expires), soci::use(replaces_ll, replaces_ind),
        soci::use(qr_enc), soci::use(actor), soci::use(provisional);
    if (!authority_.provisional) {
      PUENTE_RETURN_IF_ERROR(
          RevokeActiveCards(tx, "applicant_id = :k AND provisional = 1", a.id,
                            puente::StrCat("confirmed by the centre: final card ", serial))
              .status());
    }
    nlohmann::json details{{"applicant_id", a.id}, {"type", type_name}, {"issuer_kid", kid}};
    if (replaces) details["replaces"] = *replaces;
    PUENTE_RETURN_IF_ERROR(tx.Audit("card.issue", "card", std::to_string(serial), details));
    out.serial = serial;
    out.registration_number = a.registration_number;
    out.status = "active";
    out.replaces = replaces;
    AttachPhoto(tx, enr, out);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<IssuedCard> CardOffice::Get(const std::string& actor, uint64_t serial) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  IssuedCard out;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    const long long serial_ll = static_cast<long long>(serial);
    std::string applicant_id, qr_enc, status, reason;
    long long replaces = 0;
    soci::indicator reason_ind, replaces_ind;
    tx.sql() << "SELECT applicant_id, qr_enc, status, revoke_reason, replaces FROM cards "
                "WHERE serial = :s",
        soci::use(serial_ll), soci::into(applicant_id), soci::into(qr_enc), soci::into(status),
        soci::into(reason, reason_ind), soci::into(replaces, replaces_ind);
    if (!tx.sql().got_data()) {
      return absl::NotFoundError(puente::StrCat("card ", serial, " does not exist"));
    }
    PUENTE_ASSIGN_OR_RETURN(out.qr_text, tx.keys().Open(qr_enc, QrCtx(serial)));
    PUENTE_ASSIGN_OR_RETURN(credentials::DecodedCredential d,
                            credentials::DecodeCredential(out.qr_text));
    PUENTE_ASSIGN_OR_RETURN(out.card, credentials::internal::CardFromClaims(
                                          d.cwt_claims_cbor, d.claim169, d.meta, nullptr));
    out.serial = serial;
    out.status = status;
    out.revoke_reason = reason_ind == soci::i_ok ? reason : "";
    if (replaces_ind == soci::i_ok) out.replaces = static_cast<uint64_t>(replaces);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicantById(tx, applicant_id, "applicant.read"));
    out.registration_number = a.registration_number;
    PUENTE_ASSIGN_OR_RETURN(EnrollmentRow enr, LoadEnrollmentRow(tx, a));
    AttachPhoto(tx, enr, out);
    return tx.Audit("card.read", "card", std::to_string(serial));
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<IssuedCard> CardOffice::Replace(const std::string& actor, uint64_t serial,
                                               const std::string& reason_text) {
  if (reason_text.empty()) {
    return absl::InvalidArgumentError("reason: say why (lost, stolen, damaged)");
  }
  PUENTE_ASSIGN_OR_RETURN(const std::string reason,
                          ValidateFreeText("reason", reason_text, kMaxReasonLength, true));
  PUENTE_ASSIGN_OR_RETURN(IssuedCard old, Get(actor, serial));
  if (old.status != "active") {
    return absl::FailedPreconditionError(puente::StrCat("card ", serial, " is ", old.status));
  }
  return IssueInternal(actor, old.registration_number, old.card.type, serial, reason);
}

absl::StatusOr<IssuedCard> CardOffice::Renew(const std::string& actor, uint64_t serial,
                                             std::string_view live_photo) {
  PUENTE_ASSIGN_OR_RETURN(IssuedCard old, Get(actor, serial));
  PUENTE_ASSIGN_OR_RETURN(FaceVerification v,
                          enrollment_.VerifyFace(actor, old.registration_number, live_photo));
  if (!v.match) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "photo: the live face does not match the enrolled one (similarity %.2f, threshold %.2f)",
        v.similarity, v.threshold));
  }
  return Replace(actor, serial, "renewed");
}

absl::Status CardOffice::Revoke(const std::string& actor, uint64_t serial,
                                const std::string& reason_text) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (reason_text.empty()) return absl::InvalidArgumentError("reason: say why the card is revoked");
  PUENTE_ASSIGN_OR_RETURN(const std::string reason,
                          ValidateFreeText("reason", reason_text, kMaxReasonLength, true));
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(int n, RevokeActiveCards(tx, "serial = CAST(:k AS BIGINT)",
                                                     std::to_string(serial), reason));
    if (n == 0) {
      return absl::FailedPreconditionError(
          puente::StrCat("card ", serial, " does not exist or is already revoked"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<CardSummary>> CardOffice::ListFor(
    const std::string& actor, const std::string& registration_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  std::vector<CardSummary> out;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    out.clear();
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicant(tx, registration_number, "applicant.read"));
    long long serial = 0, replaces = 0;
    std::string type, issued, expires, status, revoked_at, reason;
    soci::indicator revoked_ind, reason_ind, replaces_ind;
    soci::statement q =
        (tx.sql().prepare << "SELECT serial, card_type, issued_at, expires_at, status, revoked_at, "
                             "revoke_reason, replaces FROM cards WHERE applicant_id = :a "
                             "ORDER BY serial DESC",
         soci::use(a.id), soci::into(serial), soci::into(type), soci::into(issued),
         soci::into(expires), soci::into(status), soci::into(revoked_at, revoked_ind),
         soci::into(reason, reason_ind), soci::into(replaces, replaces_ind));
    q.execute();
    while (q.fetch()) {
      CardSummary c{static_cast<uint64_t>(serial), type, status, issued, expires};
      if (revoked_ind == soci::i_ok) c.revoked_at = revoked_at;
      if (reason_ind == soci::i_ok) c.revoke_reason = reason;
      if (replaces_ind == soci::i_ok) c.replaces = static_cast<uint64_t>(replaces);
      out.push_back(std::move(c));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<uint64_t>> CardOffice::RevokedSerials() {
  std::vector<uint64_t> out;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    long long serial = 0;
    soci::statement q = (internal::Session(registry_.database()).prepare
                             << "SELECT serial FROM cards WHERE status = 'revoked' ORDER BY serial",
                         soci::into(serial));
    q.execute();
    while (q.fetch()) out.push_back(static_cast<uint64_t>(serial));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace puente::registry
