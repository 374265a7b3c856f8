// Strict decoding of untrusted bytes: CBOR shape rules and zlib limits.
#include <gtest/gtest.h>

#include "puente/credentials/base45.h"
#include "puente/credentials/credential.h"
#include "puente/crypto/encoding.h"
#include "src/cbor.h"
#include "src/cose.h"

namespace puente::credentials {
namespace {

using internal::DecodeCbor;

struct Case {
  const char* hex;
  const char* error;  // empty: must decode
};

TEST(StrictCborTest, RejectsWhatIsNotExactlyOneDefiniteItem) {
  const Case cases[] = {
      {"a201020304", ""},
      {"d28201a0", ""},  // tag 18 in its one-byte form
      {"a201020103", "cbor: duplicate map key"},
      {"0102", "cbor: trailing bytes after the item"},
      {"9f01ff", "cbor: indefinite-length items are not accepted"},
      {"5f4101ff", "cbor: indefinite-length items are not accepted"},
      {"8301", "cbor: container larger than the input"},
      {"d2", "cbor: truncated input"},
      {"5a7fffffff00", "cbor: string runs past the end of the input"},
      {"9bffffffffffffffff", "cbor: container larger than the input"},
      {"1bffffffffffffffff", "cbor: integer out of range"},
      {"a1f601", "cbor: map key must be an integer or text"},
      {"1c", "cbor: reserved additional information"},
      {"", "cbor: empty input"},
  };
  for (const Case& c : cases) {
    auto v = DecodeCbor(*crypto::HexDecode(c.hex));
    if (*c.error == '\0') {
      EXPECT_TRUE(v.ok()) << c.hex << ": " << v.status();
    } else {
      EXPECT_EQ(std::string(v.status().message()), c.error) << c.hex;
    }
  }
  // Nesting deeper than the limit, without recursion in the check.
  EXPECT_EQ(DecodeCbor(std::string(100000, '\x81') + '\x01').status().message(),
            "cbor: nesting too deep");
}

TEST(StrictCborTest, EncodesShortestFormsAndRoundTrips) {
  internal::Cbor m = internal::Cbor::Map();
  m.Put(1, internal::Cbor::Int(23));
  m.Put(-70001, internal::Cbor::Int(-24));
  m.Put(4, internal::Cbor::Int(1800000000));
  const std::string bytes = internal::EncodeCbor(m);
  EXPECT_EQ(crypto::HexEncode(bytes), "a301173a0001117037041a6b49d200");
  auto back = DecodeCbor(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Find(-70001)->i, -24);
}

TEST(StrictCborTest, ZipBombsStopAtTheLimit) {
  const std::string bomb = Base45Encode(internal::Deflate(std::string(1 << 20, '\0')));
  EXPECT_LT(bomb.size(), 8192u);
  auto r = DecodeCredential(bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Decompress: inflated payload exceeds 65536 bytes");
  EXPECT_EQ(DecodeStageOf(r.status()), DecodeStage::kDecompress);
  // Trailing bytes after the zlib stream.
  const std::string trailing = Base45Encode(internal::Deflate("abc") + "x");
  EXPECT_EQ(DecodeCredential(trailing).status().message(),
            "Decompress: trailing bytes after zlib data");
  const std::string z = internal::Deflate("abcdefgh");
  EXPECT_EQ(DecodeCredential(Base45Encode(z.substr(0, z.size() - 2))).status().message(),
            "Decompress: truncated zlib data");
}

}  // namespace
}  // namespace puente::credentials
