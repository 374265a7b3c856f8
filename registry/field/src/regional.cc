#include "puente/registry/regional.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "field/internal/apply_references.h"
#include "field/internal/sync_log.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/lists.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/json.h"
#include "puente/registry/kits.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {
namespace {

using internal::Tx;
using nlohmann::json;

constexpr char kRequestFormat[] = "puente-pull/1";
constexpr char kAnswerFormat[] = "puente-pull-answer/1";
// How far the cursor steps back at the end of a delta (longer than any
// enrollment transaction).
constexpr int kCursorOverlapSeconds = 120;

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat("pull: ", what));
}

absl::StatusOr<PullEnvelope> ParseEnvelope(std::string_view text, const char* format,
                                           const char* field) {
  json outer = json::parse(text, nullptr, false);
  if (!outer.is_object() || !outer.contains("format") || outer["format"] != format) {
    return Bad(puente::StrCat("not a ", format, " message"));
  }
  if (!outer.contains(field) || !outer[field].is_string() || !outer.contains("signature") ||
      !outer["signature"].is_string()) {
    return Bad(puente::StrCat(field, " or signature missing"));
  }
  PullEnvelope e;
  e.inner = outer[field].get<std::string>();
  auto sig = crypto::Base64Decode(outer["signature"].get<std::string>());
  if (!sig.ok()) return Bad("the signature is not base64");
  e.signature = *std::move(sig);
  e.body = json::parse(e.inner, nullptr, false);
  if (!e.body.is_object()) return Bad(puente::StrCat(field, " is not a JSON object"));
  return e;
}

// The signature of `e` must be `key`'s.
absl::Status CheckSignature(const PullEnvelope& e, const crypto::VerifyingKey& key,
                            const std::string& whose) {
  if (!key.Verify(e.inner, e.signature).ok()) {
    return absl::PermissionDeniedError(
        puente::StrCat("pull: the signature is not ", whose, " (tampered or foreign)"));
  }
  return absl::OkStatus();
}

// A string member, or InvalidArgument.
absl::StatusOr<std::string> Str(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return Bad(puente::StrCat(key, " missing"));
  return j[key].get<std::string>();
}

absl::StatusOr<int64_t> Int(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer()) {
    return Bad(puente::StrCat(key, " missing"));
  }
  return j[key].get<int64_t>();
}

std::string Envelope(const char* format, const char* field, const std::string& inner,
                     const std::string& signature) {
  return json{{"format", format}, {field, inner}, {"signature", crypto::Base64Encode(signature)}}
      .dump();
}

// The newer of an applicant's and its enrollment's last change: the
// snapshot's order (with the applicant id to break ties).
constexpr char kChanged[] =
    "CASE WHEN a.updated_at > e.updated_at THEN a.updated_at ELSE e.updated_at END";

}  // namespace

absl::StatusOr<PullEnvelope> ParsePullRequest(std::string_view text) {
  PUENTE_ASSIGN_OR_RETURN(PullEnvelope e, ParseEnvelope(text, kRequestFormat, "request"));
  for (const char* key : {"kit_id", "cursor", "reply_key"}) {
    PUENTE_RETURN_IF_ERROR(Str(e.body, key).status());
  }
  PUENTE_RETURN_IF_ERROR(Int(e.body, "kit_time").status());
  return e;
}

absl::StatusOr<PullEnvelope> ParsePullAnswer(std::string_view text) {
  PUENTE_ASSIGN_OR_RETURN(PullEnvelope e, ParseEnvelope(text, kAnswerFormat, "answer"));
  for (const char* key : {"kit_id", "request_sha256", "cursor", "trust_list", "revocation_list",
                          "enc", "ciphertext"}) {
    PUENTE_RETURN_IF_ERROR(Str(e.body, key).status());
  }
  PUENTE_RETURN_IF_ERROR(Int(e.body, "centre_time").status());
  if (e.body.contains("more") && !e.body["more"].is_boolean()) return Bad("more is not a boolean");
  return e;
}

absl::StatusOr<RegionalDelta> ParseRegionalDelta(std::string_view plain) {
  json content = json::parse(plain, nullptr, false);
  if (!content.is_object() || !content.contains("people") || !content["people"].is_array() ||
      !content.contains("removed") || !content["removed"].is_array()) {
    return Bad("the regional snapshot is malformed");
  }
  RegionalDelta d;
  for (const json& p : content["people"]) {
    if (!p.is_object()) return Bad("a person in the snapshot is malformed");
    ReferencePerson r;
    PUENTE_ASSIGN_OR_RETURN(r.registration_number, Str(p, "registration_number"));
    PUENTE_ASSIGN_OR_RETURN(r.case_number, Str(p, "case_number"));
    PUENTE_ASSIGN_OR_RETURN(r.central_updated_at, Str(p, "updated_at"));
    PUENTE_ASSIGN_OR_RETURN(std::string t, Str(p, "template"));
    auto bytes = crypto::Base64Decode(t);
    if (!bytes.ok()) return Bad(puente::StrCat(r.registration_number, ": template is not base64"));
    r.face_template = *std::move(bytes);
    auto in = NewApplicantFromJson(p, "applicant");
    if (!in.ok()) return Bad(puente::StrCat(r.registration_number, ": ", in.status().message()));
    r.applicant = *std::move(in);
    PUENTE_ASSIGN_OR_RETURN(r.applicant.officer, Str(p, "officer"));
    d.people.push_back(std::move(r));
  }
  for (const json& n : content["removed"]) {
    if (!n.is_string()) return Bad("a withdrawn number is not a string");
    d.removed.push_back(n.get<std::string>());
  }
  return d;
}

absl::StatusOr<PullRequest> RegionalSnapshot::MakeRequest(Registry& kit) {
  PUENTE_ASSIGN_OR_RETURN(std::optional<KitIdentity> id, LoadKitIdentity(kit));
  if (!id) {
    return absl::FailedPreconditionError(
        "this installation is not a field kit (run `puente kit init` first)");
  }
  PUENTE_ASSIGN_OR_RETURN(crypto::HpkePrivateKey reply, crypto::HpkePrivateKey::Generate());
  const std::string inner = json{{"kit_id", id->kit_id},
                                 {"kit_time", absl::ToUnixSeconds(kit.clock().Now())},
                                 {"cursor", id->gallery_cursor},
                                 {"reply_key", crypto::Base64Encode(reply.public_key())}}
                                .dump();
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes sig, id->key->key().Sign(inner));
  return PullRequest{Envelope(kRequestFormat, "request", inner, sig), std::move(reply)};
}

namespace {

// One enrollment of the region changed after the cursor.
struct SnapshotRow {
  std::string applicant_id, enrollment_id, status, template_enc, changed;
};

// Up to `limit` enrollments of the offices in `region` changed after the
// cursor (`after_time`, `after_id`), in cursor order.
absl::StatusOr<std::vector<SnapshotRow>> RegionRows(Tx& tx, const std::vector<std::string>& region,
                                                    const std::string& after_time,
                                                    const std::string& after_id, size_t limit) {
  std::vector<SnapshotRow> rows;
  if (!region.empty()) {
    // Office codes were checked to be 3 digits when the region was set.
    std::string offices;
    for (const std::string& o : region) {
      if (o.size() != 3 ||
          !std::all_of(o.begin(), o.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return absl::DataLossError("stored kit region is malformed");
      }
      offices += puente::StrCat(offices.empty() ? "'" : ",'", o, "'");
    }
    SnapshotRow r;
    const std::string sql = puente::StrCat(
        "SELECT a.id, e.id, e.status, e.template_enc, ", kChanged,
        " FROM applicants a JOIN enrollments e ON e.applicant_id = a.id "
        "WHERE a.office_code IN (",
        offices, ") AND (", kChanged, " > :t OR (", kChanged, " = :t2 AND a.id > :i)) ORDER BY ",
        kChanged, ", a.id LIMIT ", std::to_string(limit));
    soci::statement st =
        (tx.sql().prepare << sql, soci::use(after_time), soci::use(after_time), soci::use(after_id),
         soci::into(r.applicant_id), soci::into(r.enrollment_id), soci::into(r.status),
         soci::into(r.template_enc), soci::into(r.changed));
    st.execute();
    while (st.fetch()) rows.push_back(r);
  }
  return rows;
}

// The people of `rows` (sealed data in request form, template) into
// `people`, the withdrawn ones' numbers into `removed`; the cursor moves past
// each row. The people read are audited as one regional.snapshot event.
absl::Status AddDelta(Tx& tx, const std::string& kit_id, const std::vector<SnapshotRow>& rows,
                      json& people, json& removed, std::string& next_cursor) {
  std::vector<std::string> ids;
  for (const SnapshotRow& r : rows) {
    if (r.status != "duplicate") ids.push_back(r.applicant_id);
  }
  PUENTE_ASSIGN_OR_RETURN(std::vector<Applicant> read,
                          ReadApplicantsByIds(tx, ids, "regional.snapshot", "kit", kit_id));
  std::map<std::string, Applicant> by_id;
  for (Applicant& a : read) by_id[a.id] = std::move(a);
  for (const SnapshotRow& r : rows) {
    next_cursor = puente::StrCat(r.changed, "|", r.applicant_id);
    if (r.status == "duplicate") {
      // Withdrawn: the kit needs the number only (read through the index).
      std::string reg_enc;
      tx.sql() << "SELECT reg_no_enc FROM applicants WHERE id = :a", soci::use(r.applicant_id),
          soci::into(reg_enc);
      PUENTE_ASSIGN_OR_RETURN(std::string reg_no,
                              tx.keys().Open(reg_enc, "applicants.reg_no/" + r.applicant_id));
      removed.push_back(reg_no);
      continue;
    }
    auto it = by_id.find(r.applicant_id);
    if (it == by_id.end()) return absl::DataLossError("an enrollment has no applicant");
    const Applicant& a = it->second;
    PUENTE_ASSIGN_OR_RETURN(
        std::string templ,
        tx.keys().Open(r.template_enc, "enrollments.template/" + r.enrollment_id));
    people.push_back({{"registration_number", a.registration_number},
                      {"case_number", a.case_number},
                      {"applicant", ToRequestJson(ToNewApplicant(a))},
                      {"officer", a.officer},
                      {"template", crypto::Base64Encode(templ)},
                      {"updated_at", r.changed}});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RegionalSnapshot::Answer(Registry& centre, std::string_view request,
                                                     const credentials::SigningIdentity& root,
                                                     std::string_view trust_list,
                                                     std::string_view revocation_list,
                                                     size_t page_size) {
  // Who asks: the kit id is read before the signature is checked, only to
  // find the key that must have signed.
  PUENTE_ASSIGN_OR_RETURN(PullEnvelope req, ParsePullRequest(request));
  const json& body = req.body;
  const std::string kit_id = body["kit_id"].get<std::string>();
  auto kit = KitAuthority(centre).Get(kit_id);
  if (absl::IsNotFound(kit.status())) {
    return absl::PermissionDeniedError(
        puente::StrCat("pull: kit '", kit_id, "' is not certified by this registry"));
  }
  if (!kit.ok()) return kit.status();
  const int64_t now = absl::ToUnixSeconds(centre.clock().Now());
  if (kit->status != "active" || now > kit->not_after) {
    return absl::PermissionDeniedError(
        puente::StrCat("pull: kit '", kit_id, "' is retired or its certification has expired"));
  }
  PUENTE_ASSIGN_OR_RETURN(
      crypto::VerifyingKey kit_key,
      crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, kit->public_key));
  PUENTE_RETURN_IF_ERROR(CheckSignature(req, kit_key, puente::StrCat("kit ", kit_id, "'s")));
  const std::string cursor = body["cursor"].get<std::string>();
  const int64_t kit_time = body["kit_time"].get<int64_t>();
  auto reply_key = crypto::Base64Decode(body["reply_key"].get<std::string>());
  if (!reply_key.ok() || reply_key->size() != 32) return Bad("reply_key is not an X25519 key");
  std::string after_time, after_id;
  if (!cursor.empty()) {
    const size_t bar = cursor.find('|');
    if (bar == std::string::npos || !ParseTimestamp(cursor.substr(0, bar)).ok()) {
      return Bad("cursor is malformed");
    }
    after_time = cursor.substr(0, bar);
    after_id = cursor.substr(bar + 1);
  }
  page_size = std::clamp<size_t>(page_size, 1, 10000);

  json people = json::array(), removed = json::array();
  std::string next_cursor = cursor;
  bool more = false;
  absl::Status s = InTransaction(centre.database(), [&]() -> absl::Status {
    Tx tx(centre.database(), centre.keys(), centre.clock(), "kit:" + kit_id);
    PUENTE_ASSIGN_OR_RETURN(std::vector<SnapshotRow> rows,
                            RegionRows(tx, kit->region, after_time, after_id, page_size + 1));
    if (rows.size() > page_size) {
      more = true;
      rows.resize(page_size);
    }
    PUENTE_RETURN_IF_ERROR(AddDelta(tx, kit_id, rows, people, removed, next_cursor));
    return tx.Audit("kit.pull", "kit", kit_id,
                    {{"people", people.size()},
                     {"removed", removed.size()},
                     {"cursor_from", cursor},
                     {"kit_clock_skew_seconds", kit_time - now}});
  });
  if (!s.ok()) return s;
  // A change stamped in the last moments may belong to a transaction that
  // has not committed yet, and would be skipped by a cursor past it: at the
  // end of the delta the cursor goes no further than the centre's clock
  // minus the overlap. The kit ignores what it already holds unchanged.
  if (!more && !next_cursor.empty()) {
    const absl::Time settled = centre.clock().Now() - absl::Seconds(kCursorOverlapSeconds);
    auto t = ParseTimestamp(next_cursor.substr(0, next_cursor.find('|')));
    if (t.ok() && *t > settled) next_cursor = FormatTimestamp(settled) + "|";
  }

  const std::string content = json{{"people", people}, {"removed", removed}}.dump();
  PUENTE_ASSIGN_OR_RETURN(crypto::HpkeSealed sealed,
                          crypto::HpkeSeal(*reply_key, kAnswerFormat, kit_id, content));
  const std::string inner = json{{"kit_id", kit_id},
                                 {"request_sha256", crypto::HexEncode(crypto::Sha256(request))},
                                 {"centre_time", now},
                                 {"trust_list", crypto::Base64Encode(trust_list)},
                                 {"revocation_list", crypto::Base64Encode(revocation_list)},
                                 {"cursor", next_cursor},
                                 {"more", more},
                                 {"people", people.size()},
                                 {"removed", removed.size()},
                                 {"enc", crypto::Base64Encode(sealed.enc)},
                                 {"ciphertext", crypto::Base64Encode(sealed.ciphertext)}}
                                .dump();
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes sig, root.key().Sign(inner));
  return Envelope(kAnswerFormat, "answer", inner, sig);
}

absl::StatusOr<PullReport> RegionalSnapshot::Apply(Registry& kit, EnrollmentService& service,
                                                   const std::string& actor,
                                                   const PullRequest& request,
                                                   std::string_view answer) {
  PUENTE_ASSIGN_OR_RETURN(std::optional<KitIdentity> id, LoadKitIdentity(kit));
  if (!id) return absl::FailedPreconditionError("this installation is not a field kit");
  PUENTE_ASSIGN_OR_RETURN(
      crypto::VerifyingKey root,
      crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, id->root_public_key));
  PUENTE_ASSIGN_OR_RETURN(PullEnvelope opened, ParsePullAnswer(answer));
  if (absl::Status st = CheckSignature(opened, root, "the centre's root key"); !st.ok()) {
    return absl::InvalidArgumentError(st.message());
  }
  const json& body = opened.body;
  PullReport report;
  const std::string kit_id = body["kit_id"].get<std::string>();
  const std::string request_hash = body["request_sha256"].get<std::string>();
  if (kit_id != id->kit_id || request_hash != crypto::HexEncode(crypto::Sha256(request.text))) {
    return Bad("the answer is not for this kit's request (replayed or misdirected)");
  }
  PUENTE_ASSIGN_OR_RETURN(report.centre_time, Int(body, "centre_time"));
  PUENTE_ASSIGN_OR_RETURN(report.cursor, Str(body, "cursor"));
  report.more = body.value("more", false);
  // The lists must verify with the root key the kit was given.
  PUENTE_ASSIGN_OR_RETURN(std::string tl_b64, Str(body, "trust_list"));
  PUENTE_ASSIGN_OR_RETURN(std::string rl_b64, Str(body, "revocation_list"));
  PUENTE_ASSIGN_OR_RETURN(report.trust_list, crypto::Base64Decode(tl_b64));
  PUENTE_ASSIGN_OR_RETURN(report.revocation_list, crypto::Base64Decode(rl_b64));
  auto tl = credentials::VerifyTrustList(report.trust_list, root);
  auto rl = credentials::VerifyRevocationList(report.revocation_list, root);
  if (!tl.ok() || !rl.ok()) return Bad("the trust or revocation list does not verify");
  report.trusted_issuers = static_cast<int>(tl->issuers.size());
  report.revoked_serials = static_cast<int>(rl->revoked.size());
  // The people, sealed to this pull's reply key.
  PUENTE_ASSIGN_OR_RETURN(std::string enc_b64, Str(body, "enc"));
  PUENTE_ASSIGN_OR_RETURN(std::string ct_b64, Str(body, "ciphertext"));
  auto enc = crypto::Base64Decode(enc_b64);
  auto ct = crypto::Base64Decode(ct_b64);
  if (!enc.ok() || !ct.ok()) return Bad("enc or ciphertext is not base64");
  auto plain = crypto::HpkeOpen(request.reply_key, *enc, kAnswerFormat, id->kit_id, *ct);
  if (!plain.ok()) return Bad("the regional snapshot cannot be opened with this pull's key");
  PUENTE_ASSIGN_OR_RETURN(RegionalDelta delta, ParseRegionalDelta(*plain));
  const int64_t kit_now = absl::ToUnixSeconds(kit.clock().Now());
  report.clock_skew_seconds = kit_now - report.centre_time;
  const std::string seen =
      FormatTimestamp(absl::FromUnixSeconds(std::max(id->centre_time_seen, report.centre_time)));
  PUENTE_ASSIGN_OR_RETURN(
      report.people,
      internal::ApplyReferences(
          kit, service, actor, delta.people, delta.removed, [&](Tx& tx) -> absl::Status {
            tx.sql() << "UPDATE kit_identity SET gallery_cursor = :c, centre_time_seen = :t",
                soci::use(report.cursor), soci::use(seen);
            // The sync page: when, what came, and the lists' own times.
            PUENTE_RETURN_IF_ERROR(
                internal::RecordSyncEvent(tx, "pull", FormatTimestamp(kit.clock().Now()), "",
                                          {{"centre_time", report.centre_time},
                                           {"clock_skew_seconds", report.clock_skew_seconds},
                                           {"more", report.more},
                                           {"trust_list",
                                            {{"sequence", tl->sequence},
                                             {"issued_at", tl->issued_at},
                                             {"next_update", tl->next_update},
                                             {"entries", tl->issuers.size()}}},
                                           {"revocation_list",
                                            {{"sequence", rl->sequence},
                                             {"issued_at", rl->issued_at},
                                             {"next_update", rl->next_update},
                                             {"entries", rl->revoked.size()}}}}));
            return tx.Audit("kit.pull", "kit", id->kit_id,
                            {{"cursor", report.cursor},
                             {"trust_list_sequence", tl->sequence},
                             {"revocation_list_sequence", rl->sequence},
                             {"clock_skew_seconds", report.clock_skew_seconds}});
          }));
  return report;
}

}  // namespace puente::registry
