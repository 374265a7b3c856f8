#include "puente/registry/sync.h"

#include <soci/soci.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "field/internal/sync_log.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/hpke.h"
#include "puente/crypto/mac.h"
#include "puente/registry/births.h"
#include "puente/registry/json.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {

using internal::Tx;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr char kFormat[] = "puente-bundle/1";
constexpr char kPayloadFormat[] = "puente-bundle-payload/1";
constexpr size_t kMaxChunks = 100000;
constexpr size_t kMaxBundleBytes = size_t{4} << 30;

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat("bundle: ", what));
}

bool IsHex(const std::string& s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::StatusOr<std::string> ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return absl::NotFoundError(puente::StrCat(p.string(), ": cannot be read"));
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

absl::Status WriteFile(const fs::path& p, std::string_view data) {
  const fs::path tmp = p.string() + ".part";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!f) return absl::InternalError(puente::StrCat(tmp.string(), ": cannot be written"));
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) return absl::InternalError(puente::StrCat(p.string(), ": ", ec.message()));
  return absl::OkStatus();
}

std::string Hex(std::string_view bytes) { return crypto::HexEncode(bytes); }

// The manifest without its signature, as the kit signs it (nlohmann sorts
// object keys, so the text is canonical).
json ManifestBody(const BundleManifest& m) {
  json chunks = json::array();
  for (const auto& c : m.chunks) chunks.push_back({{"sha256", c.sha256}, {"size", c.size}});
  return {
      {"format", m.format}, {"bundle_id", m.bundle_id},   {"kit_id", m.kit_id},
      {"kid", m.kid_hex},   {"created_at", m.created_at}, {"centre_time_seen", m.centre_time_seen},
      {"enc", m.enc_b64},   {"chunks", chunks},           {"total_size", m.total_size}};
}

// Every birth on this installation, oldest first.
absl::StatusOr<std::vector<Birth>> ListBirthsForExport(Registry& reg, const std::string& actor) {
  std::vector<Birth> all;
  for (int offset = 0;; offset += 1000) {
    PUENTE_ASSIGN_OR_RETURN(std::vector<Birth> page, ListBirths(reg, actor, 1000, offset));
    const bool last = page.size() < 1000;
    for (Birth& b : page) all.push_back(std::move(b));
    if (last) return all;
  }
}

std::string ImportKey(const std::string& kit_id, const std::string& record_id) {
  return puente::StrCat("sync:", kit_id, ":", record_id);
}

}  // namespace

absl::StatusOr<BundleManifest> ParseBundleManifest(std::string_view text) {
  if (text.size() > (size_t{64} << 20)) return Bad("manifest larger than 64 MiB");
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Bad("manifest is not a JSON object");
  BundleManifest m;
  auto str = [&](const char* key, std::string& out) -> absl::Status {
    if (!j.contains(key) || !j[key].is_string())
      return Bad(puente::StrCat("manifest.", key, " missing"));
    out = j[key].get<std::string>();
    return absl::OkStatus();
  };
  PUENTE_RETURN_IF_ERROR(str("format", m.format));
  if (m.format != kFormat) return Bad(puente::StrCat("unknown format '", m.format, "'"));
  PUENTE_RETURN_IF_ERROR(str("bundle_id", m.bundle_id));
  PUENTE_RETURN_IF_ERROR(str("kit_id", m.kit_id));
  PUENTE_RETURN_IF_ERROR(str("kid", m.kid_hex));
  PUENTE_RETURN_IF_ERROR(str("created_at", m.created_at));
  PUENTE_RETURN_IF_ERROR(str("centre_time_seen", m.centre_time_seen));
  PUENTE_RETURN_IF_ERROR(str("enc", m.enc_b64));
  PUENTE_RETURN_IF_ERROR(str("signature", m.signature_b64));
  if (!IsHex(m.bundle_id, 64)) return Bad("manifest.bundle_id is not a SHA-256");
  if (!IsHex(m.kid_hex, 16)) return Bad("manifest.kid is not a key id");
  if (!ParseTimestamp(m.created_at).ok() || !ParseTimestamp(m.centre_time_seen).ok()) {
    return Bad("manifest timestamps are not RFC 3339");
  }
  if (!j.contains("total_size") || !j["total_size"].is_number_unsigned()) {
    return Bad("manifest.total_size missing");
  }
  m.total_size = j["total_size"].get<size_t>();
  if (!j.contains("chunks") || !j["chunks"].is_array() || j["chunks"].empty() ||
      j["chunks"].size() > kMaxChunks) {
    return Bad("manifest.chunks must list 1 to 100000 chunks");
  }
  size_t sum = 0;
  for (const json& c : j["chunks"]) {
    if (!c.is_object() || !c.contains("sha256") || !c["sha256"].is_string() ||
        !c.contains("size") || !c["size"].is_number_unsigned()) {
      return Bad("manifest.chunks entries need sha256 and size");
    }
    BundleManifest::Chunk chunk{c["sha256"].get<std::string>(), c["size"].get<size_t>()};
    if (!IsHex(chunk.sha256, 64) || chunk.size == 0 || chunk.size > (size_t{64} << 20)) {
      return Bad("manifest.chunks entry is malformed");
    }
    sum += chunk.size;
    if (sum > kMaxBundleBytes) return Bad("larger than 4 GiB");
    m.chunks.push_back(std::move(chunk));
  }
  if (sum != m.total_size) return Bad("chunk sizes do not add up to total_size");
  m.signed_text = ManifestBody(m).dump();
  return m;
}

// ---- export (kit) ---------------------------------------------------------------

namespace {

// The kit's own enrollments in the order they were made (a principal before
// the dependants who joined their case), with their photos, as bundle
// records; `by_id` gets the applicants read (audited as one sync.export).
absl::StatusOr<json> ApplicantRecords(Tx& tx, const std::string& kit_id,
                                      std::map<std::string, Applicant>& by_id) {
  json applicants = json::array();
  // Enrollments in the order they were made: a principal before the
  // dependants who joined their case.
  std::vector<std::string> enrollment_ids, applicant_ids, photos, created;
  {
    std::string e, a, p, c;
    // Not the people of the regional snapshot: they came from the centre.
    soci::statement st = (tx.sql().prepare << "SELECT id, applicant_id, photo_enc, created_at "
                                              "FROM enrollments WHERE applicant_id NOT IN "
                                              "(SELECT applicant_id FROM regional_refs) "
                                              "ORDER BY created_at, id",
                          soci::into(e), soci::into(a), soci::into(p), soci::into(c));
    st.execute();
    while (st.fetch()) {
      enrollment_ids.push_back(e);
      applicant_ids.push_back(a);
      photos.push_back(p);
      created.push_back(c);
    }
  }
  for (size_t i = 0; i < applicant_ids.size(); i += 500) {
    std::vector<std::string> page(applicant_ids.begin() + i,
                                  applicant_ids.begin() + std::min(i + 500, applicant_ids.size()));
    PUENTE_ASSIGN_OR_RETURN(std::vector<Applicant> read,
                            ReadApplicantsByIds(tx, page, "sync.export", "kit", kit_id));
    for (Applicant& a : read) by_id[a.id] = std::move(a);
  }
  for (size_t i = 0; i < enrollment_ids.size(); ++i) {
    auto it = by_id.find(applicant_ids[i]);
    if (it == by_id.end()) return absl::DataLossError("an enrollment has no applicant");
    const Applicant& a = it->second;
    PUENTE_ASSIGN_OR_RETURN(
        std::string photo,
        tx.keys().Open(photos[i], puente::StrCat("enrollments.photo/", enrollment_ids[i])));
    applicants.push_back({{"id", a.id},
                          {"registration_number", a.registration_number},
                          {"case_number", a.case_number},
                          {"relationship", ToString(a.relationship)},
                          {"applicant", ToRequestJson(ToNewApplicant(a))},
                          {"officer", a.officer},
                          {"created_at", created[i]},
                          {"photo_base64", crypto::Base64Encode(photo)}});
  }
  return applicants;
}

// The provisional cards this kit signed, of the applicants in `by_id`.
absl::StatusOr<json> CardRecords(Tx& tx, const std::map<std::string, Applicant>& by_id) {
  json cards = json::array();
  long long serial = 0;
  std::string applicant_id, type, issued, expires, status, qr_enc, reason;
  soci::indicator reason_ind;
  soci::statement st =
      (tx.sql().prepare << "SELECT serial, applicant_id, card_type, issued_at, expires_at, "
                           "status, revoke_reason, qr_enc FROM cards WHERE provisional = 1 "
                           "ORDER BY serial",
       soci::into(serial), soci::into(applicant_id), soci::into(type), soci::into(issued),
       soci::into(expires), soci::into(status), soci::into(reason, reason_ind), soci::into(qr_enc));
  st.execute();
  while (st.fetch()) {
    auto it = by_id.find(applicant_id);
    if (it == by_id.end()) continue;  // a card of an applicant without enrollment
    PUENTE_ASSIGN_OR_RETURN(std::string qr,
                            tx.keys().Open(qr_enc, puente::StrCat("cards.qr/", serial)));
    cards.push_back({{"serial", serial},
                     {"registration_number", it->second.registration_number},
                     {"type", type},
                     {"issued_at", issued},
                     {"expires_at", expires},
                     {"status", status},
                     {"revoke_reason", reason_ind == soci::i_ok ? reason : ""},
                     {"qr_text", qr}});
  }
  return cards;
}

// The kit's jornadas and births as bundle records (read through their own
// readers, audited there).
absl::Status AddJornadasAndBirths(Registry& kit, const std::string& actor, json& jornadas,
                                  json& births) {
  PUENTE_ASSIGN_OR_RETURN(std::vector<Jornada> js, Jornadas(kit).List());
  for (const Jornada& j : js) {
    json record = ToJson(j);
    record["counts"] = j.counts;  // the bundle carries them as the JSON text stored
    jornadas.push_back(std::move(record));
  }
  PUENTE_ASSIGN_OR_RETURN(std::vector<Birth> bs, ListBirthsForExport(kit, actor));
  for (const Birth& b : bs) {
    births.push_back(
        {{"id", b.id},
         {"birth_number", b.birth_number},
         {"record", BirthRecordToJson(b.record)},
         {"created_at", b.created_at},
         {"created_by", b.created_by},
         {"attestation_serial", b.attestation_serial ? json(*b.attestation_serial) : json(nullptr)},
         {"attestation_qr", b.attestation_qr}});
  }
  return absl::OkStatus();
}

// Seals `plaintext` to the centre, cuts it into content-addressed chunks in
// a new folder of `out_dir` and writes the manifest signed by the kit key.
absl::StatusOr<BundleManifest> WriteSealedBundle(Registry& kit, const KitIdentity& identity,
                                                 const std::string& plaintext,
                                                 const std::string& out_dir, size_t chunk_bytes,
                                                 const std::function<void(int, int)>& progress,
                                                 std::string& directory) {
  // Sealed to the centre, cut into content-addressed chunks, signed.
  PUENTE_ASSIGN_OR_RETURN(
      crypto::HpkeSealed sealed,
      crypto::HpkeSeal(identity.centre_bundle_key, kFormat, identity.kit_id, plaintext));
  const std::string& ct = sealed.ciphertext;
  BundleManifest m;
  m.format = kFormat;
  m.bundle_id = Hex(crypto::Sha256(ct));
  m.kit_id = identity.kit_id;
  m.kid_hex = Hex(identity.key->kid());
  m.created_at = FormatTimestamp(kit.clock().Now());
  m.centre_time_seen = FormatTimestamp(absl::FromUnixSeconds(identity.centre_time_seen));
  m.enc_b64 = crypto::Base64Encode(sealed.enc);
  m.total_size = ct.size();
  const fs::path dir = fs::path(out_dir) / puente::StrCat("bundle-", m.bundle_id.substr(0, 16));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(puente::StrCat(dir.string(), ": ", ec.message()));
  const int total = static_cast<int>((ct.size() + chunk_bytes - 1) / chunk_bytes);
  for (size_t off = 0; off < ct.size(); off += chunk_bytes) {
    const std::string_view piece = std::string_view(ct).substr(off, chunk_bytes);
    BundleManifest::Chunk c{Hex(crypto::Sha256(piece)), piece.size()};
    PUENTE_RETURN_IF_ERROR(WriteFile(dir / (c.sha256 + ".chunk"), piece));
    m.chunks.push_back(std::move(c));
    if (progress) progress(static_cast<int>(m.chunks.size()), total);
  }
  const std::string body = ManifestBody(m).dump();
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes sig, identity.key->key().Sign(body));
  json manifest = ManifestBody(m);
  manifest["signature"] = crypto::Base64Encode(sig);
  PUENTE_RETURN_IF_ERROR(WriteFile(dir / "manifest.json", manifest.dump(2)));
  directory = dir.string();
  return m;
}

}  // namespace

absl::StatusOr<BundleSummary> ExportBundle(Registry& kit, const std::string& actor,
                                           const std::string& out_dir, size_t chunk_bytes,
                                           const std::function<void(int, int)>& progress) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (chunk_bytes < 1024) return absl::InvalidArgumentError("chunk size: at least 1 KiB");
  PUENTE_ASSIGN_OR_RETURN(std::optional<KitIdentity> identity, LoadKitIdentity(kit));
  if (!identity) {
    return absl::FailedPreconditionError(
        "this installation is not a field kit (run `puente kit init` first)");
  }
  BundleSummary summary;
  // What is recorded after this moment counts as waiting for the next
  // export on the sync page (KitSyncStatus).
  const std::string started_at = FormatTimestamp(kit.clock().Now());
  json payload{{"format", kPayloadFormat},
               {"kit_id", identity->kit_id},
               {"office_code", identity->office_code}};
  json applicants, cards, births = json::array(), jornadas = json::array();
  absl::Status s = InTransaction(kit.database(), [&]() -> absl::Status {
    Tx tx(kit.database(), kit.keys(), kit.clock(), actor);
    std::map<std::string, Applicant> by_id;
    PUENTE_ASSIGN_OR_RETURN(applicants, ApplicantRecords(tx, identity->kit_id, by_id));
    PUENTE_ASSIGN_OR_RETURN(cards, CardRecords(tx, by_id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  PUENTE_RETURN_IF_ERROR(AddJornadasAndBirths(kit, actor, jornadas, births));
  summary.applicants = static_cast<int>(applicants.size());
  summary.cards = static_cast<int>(cards.size());
  summary.births = static_cast<int>(births.size());
  summary.jornadas = static_cast<int>(jornadas.size());
  payload["applicants"] = std::move(applicants);
  payload["cards"] = std::move(cards);
  payload["births"] = std::move(births);
  payload["jornadas"] = std::move(jornadas);
  // zlib-compressed JSON (the photos' base64 shrinks back towards their bytes).
  const std::string json_text = payload.dump();
  summary.payload_bytes = json_text.size();
  const std::string plaintext = crypto::ZlibCompress(json_text);
  PUENTE_ASSIGN_OR_RETURN(
      BundleManifest m, WriteSealedBundle(kit, *identity, plaintext, out_dir, chunk_bytes, progress,
                                          summary.directory));
  PUENTE_RETURN_IF_ERROR(InTransaction(kit.database(), [&]() -> absl::Status {
    Tx tx(kit.database(), kit.keys(), kit.clock(), actor);
    PUENTE_RETURN_IF_ERROR(
        internal::RecordSyncEvent(tx, "export", FormatTimestamp(kit.clock().Now()), m.bundle_id,
                                  {{"started_at", started_at},
                                   {"chunks", m.chunks.size()},
                                   {"bytes", m.total_size},
                                   {"applicants", summary.applicants},
                                   {"births", summary.births},
                                   {"jornadas", summary.jornadas},
                                   {"provisional_cards", summary.cards}}));
    return tx.Audit("sync.export", "bundle", m.bundle_id,
                    {{"chunks", m.chunks.size()},
                     {"applicants", summary.applicants},
                     {"births", summary.births}});
  }));
  summary.bundle_id = m.bundle_id;
  summary.chunks = static_cast<int>(m.chunks.size());
  summary.bytes = m.total_size;
  return summary;
}

// ---- import (centre) ------------------------------------------------------------

namespace {

absl::StatusOr<std::string> JText(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
    return Bad(puente::StrCat("record without ", key));
  }
  return j[key].get<std::string>();
}

}  // namespace

// One import run of one bundle, stage by stage: nothing is written to the
// registry before the manifest's signature, the chunks' hashes and the
// decryption have all been checked.
class BundleImporter::Run {
 public:
  Run(BundleImporter& importer, const std::string& actor, const BundleManifest& m,
      ImportReport& report)
      : registry_(importer.registry_),
        enrollment_(importer.enrollment_),
        centre_key_(importer.centre_key_),
        db_(importer.registry_.database()),
        clock_(importer.registry_.clock()),
        actor_(actor),
        m_(m),
        report_(report) {}

  // The manifest is signed by a kit certified here, with its key.
  absl::Status CheckKit() {
    // Only a kit certified here, with the key it was certified with.
    KitAuthority kits(registry_);
    auto found = kits.Get(m_.kit_id);
    if (!found.ok()) {
      return Bad(puente::StrCat("kit '", m_.kit_id,
                                "' is not certified by this registry (a foreign "
                                "bundle)"));
    }
    kit_ = *std::move(found);
    if (kit_.status != "active") return Bad(puente::StrCat("kit ", m_.kit_id, " is retired"));
    if (Hex(kit_.kid) != m_.kid_hex)
      return Bad("signed with a key this kit was not certified with");
    PUENTE_ASSIGN_OR_RETURN(
        crypto::VerifyingKey kit_key,
        crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, kit_.public_key));
    auto sig = crypto::Base64Decode(m_.signature_b64);
    if (!sig.ok() || !kit_key.Verify(m_.signed_text, *sig).ok()) {
      return Bad("the manifest's signature is not the kit's (tampered manifest)");
    }

    return absl::OkStatus();
  }

  // True (with the report of then) when this bundle was imported before.
  absl::StatusOr<bool> AlreadyImported() {
    {
      std::string stored;
      absl::Status s = InTransaction(db_, [&]() -> absl::Status {
        internal::Session(db_) << "SELECT report FROM sync_imports WHERE bundle_id = :b",
            soci::use(m_.bundle_id), soci::into(stored);
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
      if (!stored.empty()) {
        report_.already_imported = true;
        report_.complete = true;
        json j = json::parse(stored, nullptr, false);
        if (j.is_object()) {
          report_.enrolled_cleared = j.value("enrolled_cleared", 0);
          report_.held_for_adjudication = j.value("held_for_adjudication", 0);
          report_.births = j.value("births", 0);
        }
        report_.chunks_staged_now = 0;
        return true;
      }
    }

    return false;
  }

  // Stages the chunks found in `dir` and not staged yet, each checked
  // against its hash. True when all are staged.
  absl::StatusOr<bool> StageChunks(const std::string& dir,
                                   const std::function<void(int, int)>& progress,
                                   int max_new_chunks) {
    // Stage the chunks not staged yet, each checked against its hash.
    std::vector<bool> staged(m_.chunks.size(), false);
    PUENTE_RETURN_IF_ERROR(InTransaction(db_, [&]() -> absl::Status {
      int idx = 0;
      soci::statement st =
          (internal::Session(db_).prepare << "SELECT idx FROM sync_chunks WHERE bundle_id = :b",
           soci::use(m_.bundle_id), soci::into(idx));
      st.execute();
      while (st.fetch()) {
        if (idx >= 0 && idx < static_cast<int>(staged.size())) staged[idx] = true;
      }
      return absl::OkStatus();
    }));
    int have = static_cast<int>(std::count(staged.begin(), staged.end(), true));
    for (size_t i = 0; i < m_.chunks.size(); ++i) {
      if (staged[i]) continue;
      if (max_new_chunks >= 0 && report_.chunks_staged_now >= max_new_chunks) break;
      const auto& c = m_.chunks[i];
      auto data = ReadFile(fs::path(dir) / (c.sha256 + ".chunk"));
      if (!data.ok()) continue;  // not here yet: a later run brings it
      if (data->size() != c.size || Hex(crypto::Sha256(*data)) != c.sha256) {
        return Bad(puente::StrCat("chunk ", i + 1, " of ", m_.chunks.size(),
                                  " is damaged or altered (its SHA-256 does not match the signed "
                                  "manifest); nothing was imported"));
      }
      const std::string b64 = crypto::Base64Encode(*data);
      const int idx = static_cast<int>(i);
      PUENTE_RETURN_IF_ERROR(
          InTransaction(db_, [&]() -> absl::Status {
            internal::Session(db_)
                << "INSERT INTO sync_chunks (bundle_id, idx, sha256, data) VALUES (:b, :i, "
                   ":h, :d) ON CONFLICT (bundle_id, idx) DO NOTHING",
                soci::use(m_.bundle_id), soci::use(idx), soci::use(c.sha256), soci::use(b64);
            return absl::OkStatus();
          }));
      staged[i] = true;
      ++have;
      ++report_.chunks_staged_now;
      if (progress) progress(have, report_.chunks_total);
    }
    if (have < report_.chunks_total) {
      report_.problems.push_back(absl::StrFormat(
          "%d of %d chunks staged; bring the rest and import again", have, report_.chunks_total));
      return false;
    }

    return true;
  }

  // Reassembles, checks and opens the content (still nothing written).
  absl::StatusOr<json> OpenPayload() {
    // Reassemble, check and open: still nothing written to the registry.
    std::string ct;
    ct.reserve(m_.total_size);
    PUENTE_RETURN_IF_ERROR(InTransaction(db_, [&]() -> absl::Status {
      std::string data;
      soci::statement st =
          (internal::Session(db_).prepare << "SELECT data FROM sync_chunks WHERE bundle_id "
                                             "= :b ORDER BY idx",
           soci::use(m_.bundle_id), soci::into(data));
      st.execute();
      while (st.fetch()) {
        PUENTE_ASSIGN_OR_RETURN(std::string bytes, crypto::Base64Decode(data));
        ct += bytes;
      }
      return absl::OkStatus();
    }));
    if (ct.size() != m_.total_size || Hex(crypto::Sha256(ct)) != m_.bundle_id) {
      return Bad("the chunks do not make up the signed bundle (truncated or mixed up)");
    }
    auto enc = crypto::Base64Decode(m_.enc_b64);
    if (!enc.ok()) return Bad("manifest.enc is not base64");
    auto plaintext = crypto::HpkeOpen(centre_key_.key(), *enc, kFormat, m_.kit_id, ct);
    if (!plaintext.ok()) return Bad("cannot be opened with this centre's bundle key");
    // zlib-compressed JSON; a bundle made before compression is plain JSON.
    std::string payload_text = std::move(*plaintext);
    if (!payload_text.empty() && payload_text[0] != '{') {
      auto inflated = crypto::ZlibDecompress(
          payload_text, std::max<size_t>(size_t{256} << 20, 64 * payload_text.size()));
      if (!inflated.ok()) return Bad(puente::StrCat("the content: ", inflated.status().message()));
      payload_text = *std::move(inflated);
    }
    json payload = json::parse(payload_text, nullptr, false);
    if (!payload.is_object() || payload.value("format", "") != kPayloadFormat ||
        payload.value("kit_id", "") != m_.kit_id) {
      return Bad("the content is not a bundle of this kit");
    }
    for (const char* key : {"applicants", "births", "jornadas", "cards"}) {
      if (!payload.contains(key) || !payload[key].is_array()) {
        return Bad(puente::StrCat("the content has no ", key, " list"));
      }
    }

    return payload;
  }

  // The kit's clock: ahead of the centre's now, or behind a centre time it
  // had already seen.
  void CheckClock() {
    const int64_t kit_now = absl::ToUnixSeconds(*ParseTimestamp(m_.created_at));
    const int64_t seen = absl::ToUnixSeconds(*ParseTimestamp(m_.centre_time_seen));
    const int64_t centre_now = absl::ToUnixSeconds(clock_.Now());
    if (kit_now > centre_now + kClockSkewTolerance) {
      report_.clock_skew_seconds = kit_now - centre_now;
    } else if (kit_now + kClockSkewTolerance < seen) {
      report_.clock_skew_seconds = kit_now - seen;
    }
    report_.clock_skewed = report_.clock_skew_seconds != 0;
  }

  absl::Status ImportJornadas(const json& payload) {
    for (const json& j : payload["jornadas"]) {
      PUENTE_ASSIGN_OR_RETURN(std::string id, JText(j, "id"));
      if (id.size() != 36) return Bad("jornada id is not a UUID");
      PUENTE_RETURN_IF_ERROR(InTransaction(db_, [&]() -> absl::Status {
        Tx tx(db_, registry_.keys(), clock_, actor_);
        int present = 0;
        tx.sql() << "SELECT count(*) FROM jornadas WHERE id = :i", soci::use(id),
            soci::into(present);
        if (present > 0) return absl::OkStatus();
        PUENTE_ASSIGN_OR_RETURN(std::string location, JText(j, "location_code"));
        PUENTE_ASSIGN_OR_RETURN(std::string starts, JText(j, "starts_on"));
        PUENTE_ASSIGN_OR_RETURN(std::string ends, JText(j, "ends_on"));
        PUENTE_ASSIGN_OR_RETURN(std::string status, JText(j, "status"));
        PUENTE_ASSIGN_OR_RETURN(std::string created, JText(j, "created_at"));
        if (status != "open" && status != "closed") return Bad("jornada status");
        std::string officers;
        if (j.contains("officers") && j["officers"].is_array()) {
          for (const json& o : j["officers"]) {
            if (o.is_string()) officers += (officers.empty() ? "" : ",") + o.get<std::string>();
          }
        }
        std::string counts = j.value("counts", ""), closed = j.value("closed_at", "");
        soci::indicator counts_ind = counts.empty() ? soci::i_null : soci::i_ok;
        soci::indicator closed_ind = closed.empty() ? soci::i_null : soci::i_ok;
        tx.sql()
            << "INSERT INTO jornadas (id, kit_id, location_code, starts_on, ends_on, officers, "
               "status, counts, created_at, created_by, closed_at) VALUES (:i, :k, :l, :s, :e, "
               ":o, :st, :c, :ca, :b, :cl)",
            soci::use(id), soci::use(m_.kit_id), soci::use(location), soci::use(starts),
            soci::use(ends), soci::use(officers), soci::use(status), soci::use(counts, counts_ind),
            soci::use(created), soci::use(actor_), soci::use(closed, closed_ind);
        ++report_.jornadas;
        return tx.Audit("jornada.import", "jornada", id, {{"kit_id", m_.kit_id}});
      }));
    }

    return absl::OkStatus();
  }

  // A counter enrollment each, with the full deduplication; principals
  // first, so that their cases exist when dependants join them.
  absl::Status ImportApplicants(const json& payload) {
    std::vector<const json*> ordered;
    for (int pass = 0; pass < 2; ++pass) {
      for (const json& a : payload["applicants"]) {
        const bool principal = a.is_object() && a.value("relationship", "") == "principal";
        if (principal == (pass == 0)) ordered.push_back(&a);
      }
    }
    for (const json* ap : ordered) {
      const json& a = *ap;
      PUENTE_ASSIGN_OR_RETURN(std::string id, JText(a, "id"));
      PUENTE_ASSIGN_OR_RETURN(std::string reg_no, JText(a, "registration_number"));
      PUENTE_ASSIGN_OR_RETURN(std::string case_no, JText(a, "case_number"));
      PUENTE_ASSIGN_OR_RETURN(std::string rel, JText(a, "relationship"));
      PUENTE_ASSIGN_OR_RETURN(std::string photo_b64, JText(a, "photo_base64"));
      auto in = NewApplicantFromJson(a, "applicant");
      auto photo = crypto::Base64Decode(photo_b64);
      if (!in.ok() || !photo.ok()) {
        report_.problems.push_back(
            puente::StrCat(reg_no, ": ", in.ok() ? "photo is not base64" : in.status().message()));
        ++report_.refused;
        continue;
      }
      in->registration_number = reg_no;
      in->officer = a.value("officer", actor_);
      if (rel == "principal") {
        in->new_case_number = case_no;
        in->case_number.clear();
      } else {
        in->case_number = case_no;
      }
      bool replayed = false;
      auto e = enrollment_.Enroll(actor_, *in, *photo, ImportKey(m_.kit_id, id), &replayed);
      if (!e.ok()) {
        report_.problems.push_back(puente::StrCat(reg_no, ": ", e.status().message()));
        ++report_.refused;
        continue;
      }
      if (replayed) {
        ++report_.already_present;
      } else if (e->status == EnrollmentStatus::kHeld) {
        ++report_.held_for_adjudication;
        report_.held.push_back(reg_no);
      } else {
        ++report_.enrolled_cleared;
      }
    }

    return absl::OkStatus();
  }

  // Births, with their attestations.
  absl::Status ImportBirths(const json& payload) {
    for (const json& b : payload["births"]) {
      Birth birth;
      PUENTE_ASSIGN_OR_RETURN(birth.id, JText(b, "id"));
      PUENTE_ASSIGN_OR_RETURN(birth.birth_number, JText(b, "birth_number"));
      PUENTE_ASSIGN_OR_RETURN(std::string record, JText(b, "record"));
      PUENTE_ASSIGN_OR_RETURN(birth.created_at, JText(b, "created_at"));
      PUENTE_ASSIGN_OR_RETURN(birth.created_by, JText(b, "created_by"));
      auto r = BirthRecordFromJson(record);
      if (!r.ok()) {
        report_.problems.push_back(puente::StrCat(birth.birth_number, ": ", r.status().message()));
        continue;
      }
      birth.record = *r;
      if (b.contains("attestation_serial") && b["attestation_serial"].is_number_unsigned()) {
        birth.attestation_serial = b["attestation_serial"].get<uint64_t>();
      }
      birth.attestation_qr = b.value("attestation_qr", "");
      BirthRegistry births(registry_, enrollment_);
      auto added = births.ImportBirth(actor_, birth);
      if (!added.ok()) {
        report_.problems.push_back(
            puente::StrCat(birth.birth_number, ": ", added.status().message()));
        continue;
      }
      if (*added) ++report_.births;
    }

    return absl::OkStatus();
  }

  // Provisional cards: recorded as the kit issued them, so the centre's
  // revocation list can revoke them and a final card can confirm them.
  absl::Status ImportCards(const json& payload) {
    for (const json& c : payload["cards"]) {
      if (!c.contains("serial") || !c["serial"].is_number_unsigned()) return Bad("card serial");
      const long long serial = c["serial"].get<long long>();
      if (serial / 10000000000LL != std::stoll(kit_.office_code)) {
        report_.problems.push_back(
            puente::StrCat("card ", serial, ": outside the kit's serial range"));
        continue;
      }
      PUENTE_ASSIGN_OR_RETURN(std::string reg_no, JText(c, "registration_number"));
      PUENTE_ASSIGN_OR_RETURN(std::string type, JText(c, "type"));
      PUENTE_ASSIGN_OR_RETURN(std::string issued, JText(c, "issued_at"));
      PUENTE_ASSIGN_OR_RETURN(std::string expires, JText(c, "expires_at"));
      PUENTE_ASSIGN_OR_RETURN(std::string status, JText(c, "status"));
      PUENTE_ASSIGN_OR_RETURN(std::string qr, JText(c, "qr_text"));
      if (!credentials::ParseCardType(type).ok() || (status != "active" && status != "revoked")) {
        return Bad("card type or status");
      }
      std::string reason = c.value("revoke_reason", "");
      absl::Status st = InTransaction(db_, [&]() -> absl::Status {
        Tx tx(db_, registry_.keys(), clock_, actor_);
        int present = 0;
        tx.sql() << "SELECT count(*) FROM cards WHERE serial = :s", soci::use(serial),
            soci::into(present);
        if (present > 0) return absl::OkStatus();
        PUENTE_ASSIGN_OR_RETURN(Applicant holder, ReadApplicant(tx, reg_no, "applicant.read"));
        PUENTE_ASSIGN_OR_RETURN(std::string qr_enc,
                                tx.keys().Seal(qr, puente::StrCat("cards.qr/", serial)));
        const std::string kid = m_.kid_hex;
        soci::indicator reason_ind = reason.empty() ? soci::i_null : soci::i_ok;
        tx.sql() << "INSERT INTO cards (serial, applicant_id, card_type, issuer_kid, issued_at, "
                    "expires_at, status, revoke_reason, qr_enc, created_by, provisional) VALUES "
                    "(:s, :a, :t, :k, :i, :e, :st, :r, :q, :b, 1)",
            soci::use(serial), soci::use(holder.id), soci::use(type), soci::use(kid),
            soci::use(issued), soci::use(expires), soci::use(status), soci::use(reason, reason_ind),
            soci::use(qr_enc), soci::use(actor_);
        ++report_.provisional_cards;
        return tx.Audit("card.import", "card", std::to_string(serial), {{"kit_id", m_.kit_id}});
      });
      if (!st.ok()) report_.problems.push_back(puente::StrCat("card ", serial, ": ", st.message()));
    }

    return absl::OkStatus();
  }

  // Recorded once; the staged chunks are no longer needed.
  absl::Status RecordImport() {
    const json stored{{"enrolled_cleared", report_.enrolled_cleared},
                      {"held_for_adjudication", report_.held_for_adjudication},
                      {"already_present", report_.already_present},
                      {"refused", report_.refused},
                      {"births", report_.births},
                      {"jornadas", report_.jornadas},
                      {"provisional_cards", report_.provisional_cards},
                      {"clock_skew_seconds", report_.clock_skew_seconds},
                      {"problems", report_.problems}};
    PUENTE_RETURN_IF_ERROR(InTransaction(db_, [&]() -> absl::Status {
      Tx tx(db_, registry_.keys(), clock_, actor_);
      const std::string now = FormatTimestamp(clock_.Now());
      const std::string text = stored.dump();
      const long long skew = report_.clock_skew_seconds;
      tx.sql() << "INSERT INTO sync_imports (bundle_id, kit_id, kit_created_at, imported_at, "
                  "clock_skew_seconds, report, imported_by) VALUES (:b, :k, :c, :i, :s, :r, :by)",
          soci::use(m_.bundle_id), soci::use(m_.kit_id), soci::use(m_.created_at), soci::use(now),
          soci::use(skew), soci::use(text), soci::use(actor_);
      tx.sql() << "DELETE FROM sync_chunks WHERE bundle_id = :b", soci::use(m_.bundle_id);
      return tx.Audit("sync.import", "bundle", m_.bundle_id,
                      {{"kit_id", m_.kit_id},
                       {"clock_skew_seconds", skew},
                       {"enrolled", report_.enrolled_cleared + report_.held_for_adjudication}});
    }));
    return absl::OkStatus();
  }

 private:
  Registry& registry_;
  EnrollmentService& enrollment_;
  const credentials::InstitutionKey& centre_key_;
  Database& db_;
  const Clock& clock_;
  const std::string& actor_;
  const BundleManifest& m_;
  ImportReport& report_;
  KitRecord kit_;
};

absl::StatusOr<ImportReport> BundleImporter::Import(const std::string& actor,
                                                    const std::string& dir,
                                                    const std::function<void(int, int)>& progress,
                                                    int max_new_chunks) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  auto manifest_text = ReadFile(fs::path(dir) / "manifest.json");
  if (!manifest_text.ok()) return Bad(puente::StrCat(dir, " has no manifest.json"));
  PUENTE_ASSIGN_OR_RETURN(BundleManifest m, ParseBundleManifest(*manifest_text));
  ImportReport report;
  report.bundle_id = m.bundle_id;
  report.kit_id = m.kit_id;
  report.chunks_total = static_cast<int>(m.chunks.size());
  Run run(*this, actor, m, report);
  PUENTE_RETURN_IF_ERROR(run.CheckKit());
  PUENTE_ASSIGN_OR_RETURN(bool done_before, run.AlreadyImported());
  if (done_before) return report;
  PUENTE_ASSIGN_OR_RETURN(bool all_staged, run.StageChunks(dir, progress, max_new_chunks));
  if (!all_staged) return report;
  PUENTE_ASSIGN_OR_RETURN(json payload, run.OpenPayload());
  run.CheckClock();
  PUENTE_RETURN_IF_ERROR(run.ImportJornadas(payload));
  PUENTE_RETURN_IF_ERROR(run.ImportApplicants(payload));
  PUENTE_RETURN_IF_ERROR(run.ImportBirths(payload));
  PUENTE_RETURN_IF_ERROR(run.ImportCards(payload));
  PUENTE_RETURN_IF_ERROR(run.RecordImport());
  report.complete = true;
  return report;
}

json ToJson(const ImportReport& r) {
  return {{"bundle_id", r.bundle_id},
          {"kit_id", r.kit_id},
          {"complete", r.complete},
          {"already_imported", r.already_imported},
          {"chunks_total", r.chunks_total},
          {"chunks_staged_now", r.chunks_staged_now},
          {"enrolled_cleared", r.enrolled_cleared},
          {"held_for_adjudication", r.held_for_adjudication},
          {"already_present", r.already_present},
          {"refused", r.refused},
          {"births", r.births},
          {"jornadas", r.jornadas},
          {"provisional_cards", r.provisional_cards},
          {"clock_skew_seconds", r.clock_skew_seconds},
          {"clock_skewed", r.clock_skewed},
          {"held", r.held},
          {"problems", r.problems}};
}

}  // namespace puente::registry
