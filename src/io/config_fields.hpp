#pragma once
// Internal to io: every configuration key, described once. A new key is one entry in config_fields.cpp's
// table (plus its member in core/config.hpp): the table gives its section, flag and help (config_fields()),
// its type and default (--help), how it is read and range-checked (resolve_config) and how it is written to
// config.json (resolved_config_json).
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "field_reader.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

struct FieldDef {
  FieldSpec spec;
  std::function<void(const FieldReader&, Config&)> read;  // reads the key if given; checks its own range
  std::function<nlohmann::json(const Config&)> json;      // null: not part of a run's identity (progress)
};

const std::vector<FieldDef>& field_defs();

// The checks that involve several keys (M against d and the sketch, N against batch, trials x sketches,
// covariates against the backend), after every key is read.
void check_field_relations(const FieldReader& r, Config& c);

// The resolved configuration by section, as config.json records it.
nlohmann::json resolved_config_json(const Config& c);

}  // namespace sgdlaw
