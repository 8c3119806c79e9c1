'use strict';
// Golden values for the _lifecycle state, computed outside Weft: Fabric v2.5's
// serializer (core/chaincode/lifecycle/serializer.go, Serialize into an empty
// namespace) written out in JavaScript over @hyperledger/fabric-protos. Prints
// one JSON object {name: hex}. lifecycle_golden_test.cpp writes the same
// definition with Weft and requires byte equality; the inputs must match.

const { peer } = require('@hyperledger/fabric-protos');

const lifecycle = peer.lifecycle;
const hex = (bytes) => Buffer.from(bytes).toString('hex');

// Definition "basic", sequence 3 (kept in step with the C++ test).
function endorsementInfo() {
  const info = new lifecycle.ChaincodeEndorsementInfo();
  info.setVersion('1.2');
  info.setInitRequired(true);
  info.setEndorsementPlugin('escc');
  return info;
}

function validationInfo() {
  const policy = new peer.ApplicationPolicy();
  policy.setChannelConfigPolicyReference('/Channel/Application/Endorsement');
  const info = new lifecycle.ChaincodeValidationInfo();
  info.setValidationPlugin('vscc');
  info.setValidationParameter(policy.serializeBinary());
  return info;
}

function collections() {
  const collection = new peer.StaticCollectionConfig();
  collection.setName('private');
  collection.setRequiredPeerCount(1);
  collection.setMaximumPeerCount(2);
  collection.setBlockToLive(100);
  collection.setMemberOnlyRead(true);
  const config = new peer.CollectionConfig();
  config.setStaticCollectionConfig(collection);
  const pkg = new peer.CollectionConfigPackage();
  pkg.addConfig(config);
  return pkg;
}

// lifecycle.ChaincodeDefinition's fields in the Go struct's order.
const fields = [
  ['Sequence', (data) => data.setInt64(3)],
  ['EndorsementInfo', (data) => data.setBytes(endorsementInfo().serializeBinary())],
  ['ValidationInfo', (data) => data.setBytes(validationInfo().serializeBinary())],
  ['Collections', (data) => data.setBytes(collections().serializeBinary())],
];

const golden = {};
// Into an empty namespace, Serialize writes every field, then the metadata.
for (const [field, set] of fields) {
  const data = new lifecycle.StateData();
  set(data);
  golden[`namespaces/fields/basic/${field}`] = hex(data.serializeBinary());
}
const metadata = new lifecycle.StateMetadata();
metadata.setDatatype('ChaincodeDefinition');
metadata.setFieldsList(fields.map(([field]) => field));
golden['namespaces/metadata/basic'] = hex(metadata.serializeBinary());

// An org's approval of the same definition in its empty implicit collection
// (Fabric's ApproveChaincodeDefinitionForOrg): ChaincodeParameters (the
// definition's fields but Sequence) under "basic#3", then
// ChaincodeLocalPackage{PackageID} under chaincode-sources, a String field.
// Reported under "approval/" + key.
for (const [field, set] of fields.slice(1)) {
  const data = new lifecycle.StateData();
  set(data);
  golden[`approval/namespaces/fields/basic#3/${field}`] = hex(data.serializeBinary());
}
const parameters = new lifecycle.StateMetadata();
parameters.setDatatype('ChaincodeParameters');
parameters.setFieldsList(fields.slice(1).map(([field]) => field));
golden['approval/namespaces/metadata/basic#3'] = hex(parameters.serializeBinary());
const packageId = new lifecycle.StateData();
packageId.setString('basic_1.2:4f2c');
golden['approval/chaincode-sources/fields/basic#3/PackageID'] = hex(packageId.serializeBinary());
const localPackage = new lifecycle.StateMetadata();
localPackage.setDatatype('ChaincodeLocalPackage');
localPackage.setFieldsList(['PackageID']);
golden['approval/chaincode-sources/metadata/basic#3'] = hex(localPackage.serializeBinary());

// A Fabric 2.5 addition to lifecycle.proto: the result of `queryapproved`
// without a name.
const approved = new lifecycle.QueryApprovedChaincodeDefinitionsResult.ApprovedChaincodeDefinition();
approved.setName('basic');
approved.setSequence(3);
approved.setVersion('1.2');
approved.setEndorsementPlugin('escc');
approved.setValidationPlugin('vscc');
approved.setValidationParameter(validationInfo().getValidationParameter());
approved.setCollections(collections());
approved.setInitRequired(true);
const source = new lifecycle.ChaincodeSource();
const local = new lifecycle.ChaincodeSource.Local();
local.setPackageId('basic_1.2:4f2c');
source.setLocalPackage(local);
approved.setSource(source);
const result = new lifecycle.QueryApprovedChaincodeDefinitionsResult();
result.addApprovedChaincodeDefinitions(approved);
golden['query_approved_chaincode_definitions_result'] = hex(result.serializeBinary());

process.stdout.write(JSON.stringify(golden) + '\n');
