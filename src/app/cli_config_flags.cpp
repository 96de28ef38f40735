#include <CLI/CLI.hpp>

#include "cli_commands.hpp"

namespace sgdlaw {

void add_config_flags(CLI::App& cmd, std::map<std::string, std::string>& storage) {
  for (const FieldSpec& f : config_fields()) {
    const std::string name = f.name;
    const std::string def = field_default(name);
    cmd.add_option("--" + name, storage[name],
                   std::string("[") + f.section + "] " + f.help + (def.empty() ? "" : " (default: " + def + ")"))
        ->type_name(std::string(f.type) == "integer"   ? "INT"
                    : std::string(f.type) == "number"  ? "FLOAT"
                    : std::string(f.type) == "boolean" ? "BOOL"
                    : std::string(f.type) == "choice"  ? "CHOICE"
                                                       : "TEXT")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  cmd.add_option("--B", storage["batch_alias"], "alias of --batch")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

RawSettings collect_config_flags(CLI::App& cmd, const std::map<std::string, std::string>& storage) {
  RawSettings out;
  for (const FieldSpec& f : config_fields()) {
    const std::string name = f.name;
    if (cmd.count("--" + name) > 0) out[name] = {storage.at(name), RawValue::Origin::kCommandLine};
  }
  if (cmd.count("--B") > 0) {
    if (cmd.count("--batch") > 0) throw ConfigError("flags --B and --batch are the same setting; give one of them");
    out["batch"] = {storage.at("batch_alias"), RawValue::Origin::kCommandLine};
  }
  return out;
}

}  // namespace sgdlaw
