'use strict';

// fabric-chaincode-node start loads this module and serves the contracts it lists.
const { AssetTransferContract } = require('./lib/asset-transfer');

module.exports.AssetTransferContract = AssetTransferContract;
module.exports.contracts = [AssetTransferContract];
