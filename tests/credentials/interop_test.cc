// Interoperability with a Claim 169 implementation we did not write: npm's
// base45, pako and cbor with Node's crypto (tests/interop). Node decodes and
// verifies puente's cards; puente decodes and verifies Node's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/run_process.h"
#include "puente/credentials/card.h"
#include "puente/credentials/credential.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente::credentials {
namespace {

namespace fs = std::filesystem;

const std::string kInterop = std::string(PUENTE_SOURCE_DIR) + "/tests/interop";

class InteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kInterop + "/node_modules/cbor"))
        << "run `npm ci --prefix tests/interop` (scripts/test.sh does)";
    dir_ = fs::temp_directory_path() /
           ("puente-interop-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::Result Node(const std::string& args) {
    return testing::RunShell("cd '" + kInterop + "' && node claim169_interop.js " + args,
                             (dir_ / "stderr.txt").string());
  }

  fs::path dir_;
};

class NodeVerifiesPuente : public InteropTest,
                           public ::testing::WithParamInterface<crypto::SignatureAlgorithm> {};

TEST_P(NodeVerifiesPuente, DecodesAndVerifiesOurCard) {
  auto issuer = SigningIdentity::Generate(GetParam());
  auto hospital = InstitutionKey::Generate();
  ASSERT_TRUE(issuer.ok() && hospital.ok());
  Card card;
  card.type = CardType::kRefugee;
  card.serial = 70001;
  card.issuer = "PA-ONPAR";
  card.issued_at = card.not_before = 1795363200;
  card.expires_at = 1795363200 + 365 * 86400;
  card.holder.id = "ONP-2026-070001-9";
  card.holder.full_name = "Ana Lucía Güell Ñáñez";
  card.holder.date_of_birth = "19851231";
  card.holder.gender = 2;
  card.holder.nationality = "NI";
  card.holder.legal_status = "refugee";
  card.sealed = SealedSection{"tmpl", "CPA-1", {}};
  auto qr = IssueCard(card, *issuer, {{hospital->kid(), hospital->key().public_key()}});
  ASSERT_TRUE(qr.ok());
  const std::string file = (dir_ / "card.txt").string();
  std::ofstream(file) << *qr;
  const std::string alg(crypto::SignatureAlgorithmName(GetParam()));
  auto r = Node("verify '" + file + "' " + crypto::HexEncode(issuer->key().verifying_key().raw()) +
                " " + alg);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verified"], true);
  EXPECT_EQ(j["alg"], GetParam() == crypto::SignatureAlgorithm::kEd25519 ? -8 : -7);
  EXPECT_EQ(j["kid"], crypto::HexEncode(issuer->kid()));
  EXPECT_EQ(j["issuer"], "PA-ONPAR");
  EXPECT_EQ(j["claim169"]["fullName"], "Ana Lucía Güell Ñáñez");
  EXPECT_EQ(j["claim169"]["id"], "ONP-2026-070001-9");
  EXPECT_EQ(j["claim169"]["dateOfBirth"], "19851231");
  EXPECT_EQ(j["claim169"]["legalStatus"], "refugee");
  EXPECT_EQ(j["cti"], "011171");  // serial 70001
  // Our private claims are there, as unknown claims to a generic reader.
  EXPECT_EQ(j["otherClaims"], nlohmann::json::parse("[-70001, -70002]"));
  // Node also refuses a different key.
  auto other = SigningIdentity::Generate(GetParam());
  r = Node("verify '" + file + "' " + crypto::HexEncode(other->key().verifying_key().raw()) + " " +
           alg);
  EXPECT_EQ(nlohmann::json::parse(r.out)["verified"], false);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, NodeVerifiesPuente,
                         ::testing::Values(crypto::SignatureAlgorithm::kEd25519,
                                           crypto::SignatureAlgorithm::kEs256),
                         [](const auto& info) {
                           return std::string(crypto::SignatureAlgorithmName(info.param));
                         });

TEST_F(InteropTest, PuenteVerifiesNodesCard) {
  auto r = Node("issue '" + dir_.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string qr =
      testing::RunShell("cat '" + (dir_ / "qr.txt").string() + "'", (dir_ / "e").string()).out;
  const std::string key_hex =
      testing::RunShell("cat '" + (dir_ / "public_key.hex").string() + "'", (dir_ / "e").string())
          .out;
  auto key = crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519,
                                           *crypto::HexDecode(key_hex));
  ASSERT_TRUE(key.ok());
  DecodeOptions options;
  options.key_lookup = [&](std::string_view kid, int64_t alg) {
    std::vector<const crypto::VerifyingKey*> keys;
    if (alg == kCoseEdDsa && kid.size() == 8) keys.push_back(&*key);
    return keys;
  };
  auto decoded = DecodeCredential(qr, options);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->verification, VerificationStatus::kVerified);
  EXPECT_EQ(decoded->claim169.full_name, "José Ñúñez Node");
  EXPECT_EQ(decoded->claim169.id, "NODE-0001");
  EXPECT_EQ(decoded->claim169.nationality, "CO");
  EXPECT_EQ(decoded->meta.issuer, "https://node.example.org");
  // One altered character: puente refuses it.
  std::string bad = qr;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeCredential(bad, options).ok());
}

}  // namespace
}  // namespace puente::credentials
