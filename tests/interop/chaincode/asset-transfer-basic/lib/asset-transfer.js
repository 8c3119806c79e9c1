'use strict';

// asset-transfer-basic for fabric-contract-api, written for Weft's tests to behave like
// chaincode-sdk/samples/asset-transfer-basic (and so like fabric-samples' TypeScript
// contract): assets are stored as compact JSON with the keys of every object sorted,
// Size and AppraisedValue as numbers; the error messages are the sample's.

const { Contract } = require('fabric-contract-api');

// JSON text with object keys in code-unit order at every level: the same bytes on
// every endorsing peer whatever order the object was built in.
function canonicalJson(value) {
    const sortKeys = (item) => {
        if (Array.isArray(item)) {
            return item.map(sortKeys);
        }
        if (item !== null && typeof item === 'object') {
            const sorted = {};
            for (const key of Object.keys(item).sort()) {
                sorted[key] = sortKeys(item[key]);
            }
            return sorted;
        }
        return item;
    };
    return JSON.stringify(sortKeys(value));
}

function toNumber(name, text) {
    const number = Number(text);
    if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(number)) {
        throw new Error(`${name} must be a number, got '${text}'`);
    }
    return number;
}

function newAsset(id, color, size, owner, appraisedValue) {
    return {
        ID: id,
        Color: color,
        Size: toNumber('size', size),
        Owner: owner,
        AppraisedValue: toNumber('appraisedValue', appraisedValue),
    };
}

const initialAssets = [
    ['asset1', 'blue', 5, 'Tomoko', 300],
    ['asset2', 'red', 5, 'Brad', 400],
    ['asset3', 'green', 10, 'Jin Soo', 500],
    ['asset4', 'yellow', 10, 'Max', 600],
    ['asset5', 'black', 15, 'Adriana', 700],
    ['asset6', 'white', 15, 'Michel', 800],
];

class AssetTransferContract extends Contract {
    constructor() {
        super('AssetTransferContract');
    }

    async InitLedger(ctx) {
        for (const [id, color, size, owner, appraisedValue] of initialAssets) {
            const asset = { ID: id, Color: color, Size: size, Owner: owner,
                AppraisedValue: appraisedValue, docType: 'asset' };
            await ctx.stub.putState(id, Buffer.from(canonicalJson(asset)));
        }
    }

    async CreateAsset(ctx, id, color, size, owner, appraisedValue) {
        if (await this.AssetExists(ctx, id)) {
            throw new Error(`The asset ${id} already exists`);
        }
        const asset = newAsset(id, color, size, owner, appraisedValue);
        await ctx.stub.putState(id, Buffer.from(canonicalJson(asset)));
    }

    // The stored JSON text, as it is.
    async ReadAsset(ctx, id) {
        const stored = await ctx.stub.getState(id);
        if (!stored || stored.length === 0) {
            throw new Error(`The asset ${id} does not exist`);
        }
        return stored.toString('utf8');
    }

    async UpdateAsset(ctx, id, color, size, owner, appraisedValue) {
        if (!(await this.AssetExists(ctx, id))) {
            throw new Error(`The asset ${id} does not exist`);
        }
        const asset = newAsset(id, color, size, owner, appraisedValue);
        await ctx.stub.putState(id, Buffer.from(canonicalJson(asset)));
    }

    async DeleteAsset(ctx, id) {
        if (!(await this.AssetExists(ctx, id))) {
            throw new Error(`The asset ${id} does not exist`);
        }
        await ctx.stub.deleteState(id);
    }

    async AssetExists(ctx, id) {
        const stored = await ctx.stub.getState(id);
        return Boolean(stored && stored.length > 0);
    }

    // Returns the owner before the transfer.
    async TransferAsset(ctx, id, newOwner) {
        const asset = JSON.parse(await this.ReadAsset(ctx, id));
        const oldOwner = asset.Owner;
        asset.Owner = newOwner;
        const stored = Buffer.from(canonicalJson(asset));
        await ctx.stub.putState(id, stored);
        // The C++ sample's event: name TransferAsset, the new stored value as payload.
        ctx.stub.setEvent('TransferAsset', stored);
        return oldOwner;
    }

    // Every asset of the open range over simple keys, as JSON text of an array.
    async GetAllAssets(ctx) {
        const all = [];
        const iterator = await ctx.stub.getStateByRange('', '');
        let entry = await iterator.next();
        while (!entry.done) {
            const text = Buffer.from(entry.value.value).toString('utf8');
            try {
                all.push(JSON.parse(text));
            } catch (notJson) {
                all.push(text);
            }
            entry = await iterator.next();
        }
        await iterator.close();
        return JSON.stringify(all);
    }
}

module.exports = { AssetTransferContract, canonicalJson };
