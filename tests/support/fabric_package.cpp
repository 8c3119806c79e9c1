#include "tests/support/fabric_package.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace weft::testing {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBlock = 512;

// Go's formatter.formatString: copy, NUL-terminate when there is room.
void PutString(char* field, size_t size, std::string_view text) {
  if (text.size() > size) throw std::runtime_error("tar field too long: " + std::string(text));
  std::copy(text.begin(), text.end(), field);
  if (text.size() < size) field[text.size()] = '\0';
}

// Go's formatter.formatOctal: zero-padded to size - 1 digits, then NUL.
void PutOctal(char* field, size_t size, int64_t value) {
  std::string digits;
  for (uint64_t v = static_cast<uint64_t>(value); v != 0; v /= 8) {
    digits.insert(digits.begin(), static_cast<char>('0' + v % 8));
  }
  if (digits.empty()) digits = "0";
  if (digits.size() + 1 < size) digits.insert(0, size - 1 - digits.size(), '0');
  PutString(field, size, digits);
}

std::array<uint32_t, 256> CrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = CrcTable();
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

void PutLittleEndian32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// encoding/json's string encoding, HTML-safe as json.Marshal does by default.
std::string GoJsonString(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// filepath.Walk: lexical order, a directory's files and subfolders interleaved by name.
void Walk(const fs::path& root, const fs::path& dir, std::vector<TarItem>* items) {
  std::vector<fs::directory_entry> entries(fs::directory_iterator(dir), {});
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      if (name == "node_modules" || name == ".git") continue;
      Walk(root, entry.path(), items);
      continue;
    }
    const std::string relative = entry.path().lexically_relative(root).generic_string();
    TarItem item;
    if (relative.rfind("META-INF/", 0) == 0) {
      if (name.front() == '.') continue;  // hidden metadata files are ignored
      item.name = relative;
    } else {
      item.name = "src/" + relative;
    }
    item.content = ReadAll(entry.path());
    item.uid = 500;
    item.gid = 500;
    items->push_back(std::move(item));
  }
}

}  // namespace

std::string GoTar(const std::vector<TarItem>& items) {
  std::string out;
  for (const TarItem& item : items) {
    std::array<char, kBlock> header{};
    char* h = header.data();
    PutString(h + 0, 100, item.name);
    PutOctal(h + 100, 8, item.mode);
    PutOctal(h + 108, 8, item.uid);
    PutOctal(h + 116, 8, item.gid);
    const bool has_data = item.typeflag == '0';
    PutOctal(h + 124, 12, has_data ? static_cast<int64_t>(item.content.size()) : 0);
    PutOctal(h + 136, 12, 0);  // zero ModTime is written as the epoch
    h[156] = item.typeflag;
    PutString(h + 157, 100, item.linkname);
    PutString(h + 257, 6, std::string_view("ustar\0", 6));
    PutString(h + 263, 2, "00");
    PutOctal(h + 329, 8, 0);  // devmajor
    PutOctal(h + 337, 8, 0);  // devminor
    // The checksum counts its own field as eight spaces.
    std::fill(h + 148, h + 156, ' ');
    int64_t sum = 0;
    for (char c : header) sum += static_cast<unsigned char>(c);
    PutOctal(h + 148, 7, sum);
    h[155] = ' ';
    out.append(header.data(), header.size());
    if (has_data) {
      out += item.content;
      out.append((kBlock - item.content.size() % kBlock) % kBlock, '\0');
    }
  }
  out.append(2 * kBlock, '\0');
  return out;
}

std::string GoGzip(std::string_view data) {
  std::string out = {'\x1f', '\x8b', '\x08', '\0', '\0', '\0', '\0', '\0', '\0', '\xff'};
  size_t offset = 0;
  do {
    const size_t length = std::min<size_t>(65535, data.size() - offset);
    const bool final = offset + length == data.size();
    out.push_back(final ? '\x01' : '\x00');  // BFINAL, BTYPE 00 (stored)
    out.push_back(static_cast<char>(length & 0xff));
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(~length & 0xff));
    out.push_back(static_cast<char>((~length >> 8) & 0xff));
    out.append(data.substr(offset, length));
    offset += length;
  } while (offset < data.size());
  PutLittleEndian32(&out, Crc32(data));
  PutLittleEndian32(&out, static_cast<uint32_t>(data.size()));
  return out;
}

std::string FabricCodePackage(const fs::path& folder) {
  std::vector<TarItem> items;
  Walk(folder, folder, &items);
  if (items.empty()) throw std::runtime_error("no source files found in " + folder.string());
  return GoGzip(GoTar(items));
}

std::string FabricMetadataJson(std::string_view path, std::string_view type,
                               std::string_view label) {
  return "{\"path\":" + GoJsonString(path) + ",\"type\":" + GoJsonString(type) +
         ",\"label\":" + GoJsonString(label) + "}";
}

std::string FabricPackage(std::string_view path, std::string_view type, std::string_view label,
                          std::string_view code_tar_gz) {
  std::vector<TarItem> items(2);
  items[0].name = "metadata.json";
  items[0].content = FabricMetadataJson(path, type, label);
  items[1].name = "code.tar.gz";
  items[1].content = std::string(code_tar_gz);
  return GoGzip(GoTar(items));
}

}  // namespace weft::testing
