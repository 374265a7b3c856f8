// A small CBOR value model over libcbor, with the strict decoding Claim 169
// parsers need: the whole input must be one item (no trailing bytes), only
// definite lengths, bounded nesting, integer or text map keys, no duplicate
// keys, integers within int64. Encoding is deterministic: shortest heads and
// maps in the order they were built.
#ifndef PUENTE_CREDENTIALS_SRC_CBOR_H_
#define PUENTE_CREDENTIALS_SRC_CBOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace puente::credentials::internal {

struct Cbor {
  enum class Type { kInt, kBytes, kText, kArray, kMap, kTag, kBool, kNull, kUndefined, kFloat };

  Type type = Type::kNull;
  int64_t i = 0;                           // kInt, kBool (0/1)
  uint64_t tag = 0;                        // kTag
  double f = 0;                            // kFloat
  std::string s;                           // kBytes, kText
  std::vector<Cbor> items;                 // kArray; kTag holds its one item here
  std::vector<std::pair<Cbor, Cbor>> map;  // kMap, in encoded order

  static Cbor Int(int64_t v) {
    Cbor c;
    c.type = Type::kInt;
    c.i = v;
    return c;
  }
  static Cbor Bytes(std::string v) {
    Cbor c;
    c.type = Type::kBytes;
    c.s = std::move(v);
    return c;
  }
  static Cbor Text(std::string v) {
    Cbor c;
    c.type = Type::kText;
    c.s = std::move(v);
    return c;
  }
  static Cbor Bool(bool v) {
    Cbor c;
    c.type = Type::kBool;
    c.i = v;
    return c;
  }
  static Cbor Array(std::vector<Cbor> v = {}) {
    Cbor c;
    c.type = Type::kArray;
    c.items = std::move(v);
    return c;
  }
  static Cbor Map() {
    Cbor c;
    c.type = Type::kMap;
    return c;
  }
  static Cbor Tag(uint64_t t, Cbor item) {
    Cbor c;
    c.type = Type::kTag;
    c.tag = t;
    c.items.push_back(std::move(item));
    return c;
  }

  bool is_int() const { return type == Type::kInt; }
  bool is_bytes() const { return type == Type::kBytes; }
  bool is_text() const { return type == Type::kText; }
  bool is_array() const { return type == Type::kArray; }
  bool is_map() const { return type == Type::kMap; }

  // Map lookup by integer key; nullptr when absent (or not a map).
  const Cbor* Find(int64_t key) const;
  // Appends a map entry (no duplicate check: builders choose their keys).
  Cbor& Put(int64_t key, Cbor value);
};

struct CborLimits {
  size_t max_depth = 16;
  size_t max_items = 4096;  // array elements + map entries in all
};

// InvalidArgument("cbor: ...") for anything that is not exactly one
// well-formed, definite-length item within the limits.
absl::StatusOr<Cbor> DecodeCbor(std::string_view bytes, const CborLimits& limits = {});

std::string EncodeCbor(const Cbor& value);

}  // namespace puente::credentials::internal

#endif  // PUENTE_CREDENTIALS_SRC_CBOR_H_
