// Proves Weft's protos are wire-compatible with Fabric's: every message, enum
// and service Fabric 2.2 defines in the packages Weft implements must exist in
// Weft's generated descriptors with the same numbers, types, labels, oneofs
// and map-ness. Weft may add fields and values (it follows Fabric 2.5), never
// change or drop them.

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace gp = google::protobuf;

// Fabric packages Weft implements. Fabric's other packages (gossip, discovery,
// etcdraft, transientstore) are out of Weft's scope and never compared.
const std::set<std::string> kComparedPackages = {"common", "msp",     "protos",      "orderer",
                                                 "rwset",  "kvrwset", "queryresult", "lifecycle"};

// Files inside the compared packages that Weft deliberately does not carry.
const std::set<std::string> kSkippedFiles = {
    "orderer/cluster.proto",  // Raft/BFT orderer-to-orderer transport; Weft orders with solo and
                              // Kafka
    "peer/resources.proto",   // v1.x resource-tree config, never enabled in Fabric v2
    "peer/signed_cc_dep_spec.proto",  // legacy (lscc) signed install packages
};

class CollectingErrorCollector : public gp::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& filename, int line, int column,
                const std::string& message) override {
    errors_.push_back(filename + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) +
                      ": " + message);
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

// Fabric's .proto files parsed at test time; owns the pool their descriptors live in.
struct FabricProtos {
  gp::compiler::DiskSourceTree source_tree;
  CollectingErrorCollector errors;
  std::unique_ptr<gp::compiler::Importer> importer;
  std::vector<const gp::FileDescriptor*> compared_files;
};

std::unique_ptr<FabricProtos> LoadFabricProtos() {
  const std::filesystem::path root =
      std::filesystem::path(WEFT_SOURCE_DIR) / "tests/interop/node_modules/fabric-protos/protos";
  if (!std::filesystem::is_directory(root)) {
    FAIL("Fabric's .proto files are missing: "
         << root.string()
         << " does not exist. Run deploy/setup.sh (it runs `npm ci` in tests/interop).");
  }

  auto fabric = std::make_unique<FabricProtos>();
  fabric->source_tree.MapPath("", root.string());
  fabric->source_tree.MapPath("google/protobuf",
                              std::string(WEFT_PROTOBUF_INCLUDE_DIR) + "/google/protobuf");
  fabric->importer =
      std::make_unique<gp::compiler::Importer>(&fabric->source_tree, &fabric->errors);

  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".proto") {
      paths.push_back(std::filesystem::relative(entry.path(), root).generic_string());
    }
  }
  std::sort(paths.begin(), paths.end());
  REQUIRE_FALSE(paths.empty());

  for (const std::string& path : paths) {
    const gp::FileDescriptor* file = fabric->importer->Import(path);
    if (file == nullptr) {
      std::string all_errors;
      for (const std::string& error : fabric->errors.errors()) all_errors += "\n  " + error;
      FAIL("cannot parse Fabric's " << path << ":" << all_errors);
    }
    if (kComparedPackages.count(file->package()) != 0 && kSkippedFiles.count(path) == 0) {
      fabric->compared_files.push_back(file);
    }
  }
  return fabric;
}

struct Report {
  int messages = 0;
  int fields = 0;
  int enums = 0;
  int enum_values = 0;
  int services = 0;
  int methods = 0;
  std::vector<std::string> mismatches;
};

std::string TypeName(const gp::FieldDescriptor& field) {
  if (field.message_type() != nullptr) return field.message_type()->full_name();
  if (field.enum_type() != nullptr) return field.enum_type()->full_name();
  return "";
}

std::string LabelName(const gp::FieldDescriptor& field) {
  switch (field.label()) {
    case gp::FieldDescriptor::LABEL_OPTIONAL:
      return "optional";
    case gp::FieldDescriptor::LABEL_REQUIRED:
      return "required";
    case gp::FieldDescriptor::LABEL_REPEATED:
      return "repeated";
  }
  return "unknown";
}

std::string OneofName(const gp::FieldDescriptor& field) {
  const gp::OneofDescriptor* oneof = field.real_containing_oneof();
  return oneof == nullptr ? "(none)" : oneof->name();
}

// Compares one property; records "<where>: <property> is <ours>, Fabric has <theirs>".
template <typename T>
void Expect(Report& report, const std::string& where, const char* property, const T& theirs,
            const T& ours) {
  if (theirs == ours) return;
  std::ostringstream out;
  out << where << ": " << property << " is " << ours << " in Weft, Fabric has " << theirs;
  report.mismatches.push_back(out.str());
}

bool ExpectFoundIn(Report& report, const void* ours, const std::string& kind,
                   const std::string& name, const gp::FileDescriptor& fabric_file) {
  if (ours != nullptr) return true;
  report.mismatches.push_back(kind + " " + name + " (Fabric's " + fabric_file.name() +
                              ") is missing from Weft's protos");
  return false;
}

void CompareEnum(const gp::EnumDescriptor& theirs, Report& report) {
  ++report.enums;
  const gp::EnumDescriptor* ours =
      gp::DescriptorPool::generated_pool()->FindEnumTypeByName(theirs.full_name());
  if (!ExpectFoundIn(report, ours, "enum", theirs.full_name(), *theirs.file())) return;
  Expect(report, theirs.full_name(), "file", theirs.file()->name(), ours->file()->name());
  for (int i = 0; i < theirs.value_count(); ++i) {
    const gp::EnumValueDescriptor& value = *theirs.value(i);
    ++report.enum_values;
    const std::string where = theirs.full_name() + "." + value.name();
    const gp::EnumValueDescriptor* our_value = ours->FindValueByName(value.name());
    if (our_value == nullptr) {
      report.mismatches.push_back("enum value " + where + " is missing from Weft's protos");
      continue;
    }
    Expect(report, where, "number", value.number(), our_value->number());
  }
}

void CompareField(const gp::FieldDescriptor& theirs, const gp::Descriptor& ours_message,
                  Report& report) {
  ++report.fields;
  const std::string where = theirs.full_name() + " (= " + std::to_string(theirs.number()) + ")";
  const gp::FieldDescriptor* ours = ours_message.FindFieldByNumber(theirs.number());
  if (ours == nullptr) {
    report.mismatches.push_back("field " + where + " is missing from Weft's protos");
    return;
  }
  Expect(report, where, "name", theirs.name(), ours->name());
  Expect(report, where, "type", std::string(theirs.type_name()), std::string(ours->type_name()));
  Expect(report, where, "label", LabelName(theirs), LabelName(*ours));
  Expect(report, where, "type name", TypeName(theirs), TypeName(*ours));
  Expect(report, where, "oneof", OneofName(theirs), OneofName(*ours));
  Expect(report, where, "map", theirs.is_map(), ours->is_map());
  Expect(report, where, "packed", theirs.is_packed(), ours->is_packed());
}

void CompareMessage(const gp::Descriptor& theirs, Report& report) {
  ++report.messages;
  const gp::Descriptor* ours =
      gp::DescriptorPool::generated_pool()->FindMessageTypeByName(theirs.full_name());
  if (ExpectFoundIn(report, ours, "message", theirs.full_name(), *theirs.file())) {
    Expect(report, theirs.full_name(), "file", theirs.file()->name(), ours->file()->name());
    for (int i = 0; i < theirs.field_count(); ++i) CompareField(*theirs.field(i), *ours, report);
  }
  // Nested types are looked up by full name, so they are checked even when
  // the parent is missing (which then shows up once per nested type too).
  for (int i = 0; i < theirs.nested_type_count(); ++i)
    CompareMessage(*theirs.nested_type(i), report);
}

// Enums declared inside messages, at any depth.
void CompareNestedEnums(const gp::Descriptor& theirs, Report& report) {
  for (int i = 0; i < theirs.enum_type_count(); ++i) CompareEnum(*theirs.enum_type(i), report);
  for (int i = 0; i < theirs.nested_type_count(); ++i)
    CompareNestedEnums(*theirs.nested_type(i), report);
}

void CompareService(const gp::ServiceDescriptor& theirs, Report& report) {
  ++report.services;
  const gp::ServiceDescriptor* ours =
      gp::DescriptorPool::generated_pool()->FindServiceByName(theirs.full_name());
  if (!ExpectFoundIn(report, ours, "service", theirs.full_name(), *theirs.file())) return;
  for (int i = 0; i < theirs.method_count(); ++i) {
    const gp::MethodDescriptor& method = *theirs.method(i);
    ++report.methods;
    const gp::MethodDescriptor* our_method = ours->FindMethodByName(method.name());
    if (our_method == nullptr) {
      report.mismatches.push_back("rpc " + method.full_name() + " is missing from Weft's protos");
      continue;
    }
    Expect(report, method.full_name(), "input", method.input_type()->full_name(),
           our_method->input_type()->full_name());
    Expect(report, method.full_name(), "output", method.output_type()->full_name(),
           our_method->output_type()->full_name());
    Expect(report, method.full_name(), "client streaming", method.client_streaming(),
           our_method->client_streaming());
    Expect(report, method.full_name(), "server streaming", method.server_streaming(),
           our_method->server_streaming());
  }
}

void CompareMessages(const gp::FileDescriptor& theirs, Report& report) {
  for (int i = 0; i < theirs.message_type_count(); ++i)
    CompareMessage(*theirs.message_type(i), report);
}

void CompareEnums(const gp::FileDescriptor& theirs, Report& report) {
  for (int i = 0; i < theirs.enum_type_count(); ++i) CompareEnum(*theirs.enum_type(i), report);
  for (int i = 0; i < theirs.message_type_count(); ++i)
    CompareNestedEnums(*theirs.message_type(i), report);
}

void CompareServices(const gp::FileDescriptor& theirs, Report& report) {
  for (int i = 0; i < theirs.service_count(); ++i) CompareService(*theirs.service(i), report);
}

// One Catch2 failure per mismatch, so the log names every offending field.
void RequireNoMismatches(const Report& report) {
  for (const std::string& mismatch : report.mismatches) FAIL_CHECK(mismatch);
  REQUIRE(report.mismatches.empty());
}

}  // namespace

TEST_CASE("Weft's protos define every Fabric 2.2 message of its packages with identical fields") {
  auto fabric = LoadFabricProtos();
  Report report;
  for (const gp::FileDescriptor* file : fabric->compared_files) CompareMessages(*file, report);
  std::cout << "checked " << report.messages << " Fabric messages and " << report.fields
            << " fields in " << fabric->compared_files.size() << " files\n";
  REQUIRE(report.messages > 150);
  RequireNoMismatches(report);
}

TEST_CASE("Weft's protos define every Fabric 2.2 enum of its packages with identical values") {
  auto fabric = LoadFabricProtos();
  Report report;
  for (const gp::FileDescriptor* file : fabric->compared_files) CompareEnums(*file, report);
  std::cout << "checked " << report.enums << " Fabric enums and " << report.enum_values
            << " enum values\n";
  REQUIRE(report.enums > 15);
  RequireNoMismatches(report);
}

TEST_CASE("Weft's protos define every Fabric 2.2 service of its packages with identical rpcs") {
  auto fabric = LoadFabricProtos();
  Report report;
  for (const gp::FileDescriptor* file : fabric->compared_files) CompareServices(*file, report);
  std::cout << "checked " << report.services << " Fabric services and " << report.methods
            << " rpcs\n";
  REQUIRE(report.services >= 5);
  RequireNoMismatches(report);
}

TEST_CASE("The descriptor comparison reports every changed number, type, label and missing name") {
  // A doctored copy of a few Fabric definitions; each line differs from Weft's
  // generated descriptors in exactly one reported way.
  gp::FileDescriptorProto doctored;
  REQUIRE(gp::TextFormat::ParseFromString(
      R"pb(
        name: "common/common.proto"
        package: "common"
        syntax: "proto3"
        message_type {
          name: "Envelope"
          field { name: "payload" number: 1 type: TYPE_BYTES label: LABEL_OPTIONAL }
          field { name: "signature" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL }
          field { name: "witness" number: 9 type: TYPE_BYTES label: LABEL_OPTIONAL }
        }
        message_type {
          name: "BlockData"
          field { name: "data" number: 1 type: TYPE_BYTES label: LABEL_OPTIONAL }
        }
        message_type {
          name: "BlockHeader"
          field { name: "previous_hash" number: 1 type: TYPE_BYTES label: LABEL_OPTIONAL }
        }
        message_type { name: "NotInWeft" }
        enum_type {
          name: "Status"
          value { name: "UNKNOWN" number: 0 }
          value { name: "SUCCESS" number: 201 }
          value { name: "TEAPOT" number: 418 }
        }
      )pb",
      &doctored));
  gp::DescriptorPool pool;
  const gp::FileDescriptor* file = pool.BuildFile(doctored);
  REQUIRE(file != nullptr);

  Report report;
  CompareMessages(*file, report);
  CompareEnums(*file, report);

  auto reported = [&](const std::string& needle) {
    return std::any_of(report.mismatches.begin(), report.mismatches.end(),
                       [&](const std::string& m) { return m.find(needle) != std::string::npos; });
  };
  INFO("mismatches: " << report.mismatches.size());
  for (const std::string& mismatch : report.mismatches) UNSCOPED_INFO(mismatch);
  CHECK(reported("common.Envelope.signature (= 2): type is bytes in Weft, Fabric has string"));
  CHECK(reported("field common.Envelope.witness (= 9) is missing"));
  CHECK(reported("common.BlockData.data (= 1): label is repeated in Weft, Fabric has optional"));
  CHECK(reported("common.BlockHeader.previous_hash (= 1): name is number in Weft"));
  CHECK(reported("message common.NotInWeft"));
  CHECK(reported("common.Status.SUCCESS: number is 200 in Weft, Fabric has 201"));
  CHECK(reported("enum value common.Status.TEAPOT is missing"));
  CHECK(report.mismatches.size() == 8);  // the seven above plus BlockHeader.previous_hash's type
}
