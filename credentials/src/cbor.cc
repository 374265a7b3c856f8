#include "src/cbor.h"

#include <cbor.h>

#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include "absl/status/status.h"

namespace puente::credentials::internal {
namespace {

absl::Status Bad(const std::string& what) { return absl::InvalidArgumentError("cbor: " + what); }

// One pass over the raw bytes before libcbor builds anything: rejects
// indefinite lengths, reserved encodings, lengths past the end, excessive
// nesting or item counts, and trailing bytes. libcbor frees trees
// recursively, so deep nesting must never reach it. Records where tags are
// encoded in their one-byte form: Debian's libcbor 0.8 refuses tags 6-23
// (among them COSE_Sign1's 18 and COSE_Encrypt0's 16) in that form.
absl::Status CheckWellFormed(std::string_view in, const CborLimits& limits,
                             std::vector<size_t>* short_tags) {
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  size_t pos = 0;
  std::vector<uint64_t> pending{1};  // items still expected at each open level
  size_t items = 0;
  while (!pending.empty()) {
    if (pending.back() == 0) {
      pending.pop_back();
      continue;
    }
    --pending.back();
    if (pos >= n) return Bad("truncated input");
    const uint8_t major = p[pos] >> 5;
    const uint8_t ai = p[pos] & 0x1f;
    ++pos;
    uint64_t value = ai;
    if (ai >= 24 && ai <= 27) {
      const size_t len = size_t{1} << (ai - 24);
      if (n - pos < len) return Bad("truncated input");
      value = 0;
      for (size_t k = 0; k < len; ++k) value = (value << 8) | p[pos + k];
      pos += len;
    } else if (ai == 31) {
      return Bad("indefinite-length items are not accepted");
    } else if (ai > 27) {
      return Bad("reserved additional information");
    }
    switch (major) {
      case 0:
      case 1:
        break;
      case 2:
      case 3:
        if (value > n - pos) return Bad("string runs past the end of the input");
        pos += value;
        break;
      case 4:
      case 5: {
        const uint64_t count = major == 5 ? value * 2 : value;
        if (value > n || count > n - pos) return Bad("container larger than the input");
        items += value;
        if (items > limits.max_items) return Bad("too many items");
        if (pending.size() >= limits.max_depth) return Bad("nesting too deep");
        pending.push_back(count);
        break;
      }
      case 6:
        if (pending.size() >= limits.max_depth) return Bad("nesting too deep");
        if (ai < 24) short_tags->push_back(pos - 1);
        pending.push_back(1);
        break;
      case 7:
        if (ai == 24 && value < 32) return Bad("invalid simple value");
        break;
    }
  }
  if (pos != n) return Bad("trailing bytes after the item");
  return absl::OkStatus();
}

struct ItemRef {
  explicit ItemRef(cbor_item_t* i) : item(i) {}
  ~ItemRef() {
    if (item != nullptr) cbor_decref(&item);
  }
  cbor_item_t* item;
};

std::string KeyIdentity(const Cbor& key) {
  return key.is_int() ? "i" + std::to_string(key.i) : "t" + key.s;
}

absl::StatusOr<Cbor> Convert(const cbor_item_t* item) {
  Cbor out;
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT: {
      const uint64_t v = cbor_get_int(item);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Bad("integer out of range");
      }
      return Cbor::Int(static_cast<int64_t>(v));
    }
    case CBOR_TYPE_NEGINT: {
      const uint64_t v = cbor_get_int(item);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Bad("integer out of range");
      }
      return Cbor::Int(-1 - static_cast<int64_t>(v));
    }
    case CBOR_TYPE_BYTESTRING:
      return Cbor::Bytes(std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(item)),
                                     cbor_bytestring_length(item)));
    case CBOR_TYPE_STRING:
      return Cbor::Text(std::string(reinterpret_cast<const char*>(cbor_string_handle(item)),
                                    cbor_string_length(item)));
    case CBOR_TYPE_ARRAY: {
      out = Cbor::Array();
      cbor_item_t** handle = cbor_array_handle(item);
      for (size_t k = 0; k < cbor_array_size(item); ++k) {
        auto v = Convert(handle[k]);
        if (!v.ok()) return v.status();
        out.items.push_back(std::move(*v));
      }
      return out;
    }
    case CBOR_TYPE_MAP: {
      out = Cbor::Map();
      std::set<std::string> seen;
      cbor_pair* pairs = cbor_map_handle(item);
      for (size_t k = 0; k < cbor_map_size(item); ++k) {
        auto key = Convert(pairs[k].key);
        if (!key.ok()) return key.status();
        if (!key->is_int() && !key->is_text()) return Bad("map key must be an integer or text");
        if (!seen.insert(KeyIdentity(*key)).second) return Bad("duplicate map key");
        auto value = Convert(pairs[k].value);
        if (!value.ok()) return value.status();
        out.map.emplace_back(std::move(*key), std::move(*value));
      }
      return out;
    }
    case CBOR_TYPE_TAG: {
      auto inner = Convert(cbor_move(cbor_tag_item(item)));
      // cbor_tag_item increments the reference count; cbor_move hands it
      // back, the tag item still owns the child.
      if (!inner.ok()) return inner.status();
      return Cbor::Tag(cbor_tag_value(item), std::move(*inner));
    }
    case CBOR_TYPE_FLOAT_CTRL:
      if (cbor_float_ctrl_is_ctrl(item)) {
        const uint8_t ctrl = cbor_ctrl_value(item);
        if (ctrl == CBOR_CTRL_TRUE || ctrl == CBOR_CTRL_FALSE) {
          return Cbor::Bool(ctrl == CBOR_CTRL_TRUE);
        }
        out.type = ctrl == CBOR_CTRL_NULL ? Cbor::Type::kNull : Cbor::Type::kUndefined;
        if (ctrl != CBOR_CTRL_NULL && ctrl != CBOR_CTRL_UNDEF) {
          return Bad("unsupported simple value");
        }
        return out;
      }
      out.type = Cbor::Type::kFloat;
      out.f = cbor_float_get_float(item);
      return out;
  }
  return Bad("unsupported item");
}

cbor_item_t* BuildUint(uint64_t v) {
  if (v <= 0xff) return cbor_build_uint8(static_cast<uint8_t>(v));
  if (v <= 0xffff) return cbor_build_uint16(static_cast<uint16_t>(v));
  if (v <= 0xffffffffu) return cbor_build_uint32(static_cast<uint32_t>(v));
  return cbor_build_uint64(v);
}

cbor_item_t* BuildNegint(uint64_t v) {  // encodes -1 - v
  if (v <= 0xff) return cbor_build_negint8(static_cast<uint8_t>(v));
  if (v <= 0xffff) return cbor_build_negint16(static_cast<uint16_t>(v));
  if (v <= 0xffffffffu) return cbor_build_negint32(static_cast<uint32_t>(v));
  return cbor_build_negint64(v);
}

cbor_item_t* Build(const Cbor& v) {
  switch (v.type) {
    case Cbor::Type::kInt:
      return v.i >= 0 ? BuildUint(static_cast<uint64_t>(v.i))
                      : BuildNegint(static_cast<uint64_t>(-(v.i + 1)));
    case Cbor::Type::kBytes:
      return cbor_build_bytestring(reinterpret_cast<cbor_data>(v.s.data()), v.s.size());
    case Cbor::Type::kText:
      return cbor_build_stringn(v.s.data(), v.s.size());
    case Cbor::Type::kArray: {
      cbor_item_t* arr = cbor_new_definite_array(v.items.size());
      for (const Cbor& item : v.items) cbor_array_push(arr, cbor_move(Build(item)));
      return arr;
    }
    case Cbor::Type::kMap: {
      cbor_item_t* map = cbor_new_definite_map(v.map.size());
      for (const auto& [key, value] : v.map) {
        cbor_map_add(map, cbor_pair{cbor_move(Build(key)), cbor_move(Build(value))});
      }
      return map;
    }
    case Cbor::Type::kTag:
      return cbor_build_tag(v.tag, cbor_move(Build(v.items.at(0))));
    case Cbor::Type::kBool:
      return cbor_build_bool(v.i != 0);
    case Cbor::Type::kNull:
      return cbor_new_null();
    case Cbor::Type::kUndefined:
      return cbor_new_undef();
    case Cbor::Type::kFloat:
      return cbor_build_float8(v.f);
  }
  return cbor_new_null();
}

}  // namespace

const Cbor* Cbor::Find(int64_t key) const {
  if (type != Type::kMap) return nullptr;
  for (const auto& [k, v] : map) {
    if (k.is_int() && k.i == key) return &v;
  }
  return nullptr;
}

Cbor& Cbor::Put(int64_t key, Cbor value) {
  map.emplace_back(Int(key), std::move(value));
  return map.back().second;
}

absl::StatusOr<Cbor> DecodeCbor(std::string_view bytes, const CborLimits& limits) {
  if (bytes.empty()) return Bad("empty input");
  std::vector<size_t> short_tags;
  if (auto st = CheckWellFormed(bytes, limits, &short_tags); !st.ok()) return st;
  // Same item, tags in the two-byte form (0xd8 value) libcbor 0.8 reads.
  std::string widened;
  if (!short_tags.empty()) {
    widened.reserve(bytes.size() + short_tags.size());
    size_t from = 0;
    for (size_t at : short_tags) {
      widened.append(bytes.substr(from, at - from));
      widened.push_back(static_cast<char>(0xd8));
      widened.push_back(static_cast<char>(bytes[at] & 0x1f));
      from = at + 1;
    }
    widened.append(bytes.substr(from));
    bytes = widened;
  }
  cbor_load_result result;
  ItemRef item(cbor_load(reinterpret_cast<cbor_data>(bytes.data()), bytes.size(), &result));
  if (item.item == nullptr || result.error.code != CBOR_ERR_NONE) {
    return Bad("malformed input");
  }
  if (result.read != bytes.size()) return Bad("trailing bytes after the item");
  return Convert(item.item);
}

std::string EncodeCbor(const Cbor& value) {
  ItemRef item(Build(value));
  unsigned char* buffer = nullptr;
  size_t buffer_size = 0;
  const size_t len = cbor_serialize_alloc(item.item, &buffer, &buffer_size);
  std::string out(reinterpret_cast<const char*>(buffer), len);
  free(buffer);
  return out;
}

}  // namespace puente::credentials::internal
