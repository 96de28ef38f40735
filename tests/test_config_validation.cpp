// Every bad input raises a ConfigError (or DivergenceError) whose message names the field.
#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;

namespace {

RawSettings cli(std::initializer_list<std::pair<const char*, const char*>> kv) {
  RawSettings s;
  for (const auto& [k, v] : kv) s[k] = {v, RawValue::Origin::kCommandLine};
  return s;
}

std::string error_of(const std::vector<RawSettings>& layers) {
  try {
    resolve_config(layers);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string toml_error(const std::string& text) {
  try {
    resolve_config({parse_toml_settings(text, "test.toml")});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ConfigValidation, DefaultsAreValid) {
  const Config c = resolve_config({});
  EXPECT_EQ(c.b, c.a);  // b defaults to a
  EXPECT_LE(c.M, c.d);
}

TEST(ConfigValidation, RangeErrorsNameTheField) {
  struct Case {
    std::vector<std::pair<const char*, const char*>> kv;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {{{"a", "1"}}, "field 'a' must satisfy a > 1"},
      {{{"a", "0.5"}}, "field 'a'"},
      {{{"b", "1.0"}}, "field 'b' must satisfy b > 1"},
      {{{"d", "100"}, {"M", "200"}}, "field 'M' must satisfy M <= d"},
      {{{"sigma", "-0.1"}}, "field 'sigma' must satisfy sigma >= 0"},
      {{{"trials", "0"}}, "field 'trials' must satisfy trials >= 1"},
      {{{"sketches", "0"}}, "field 'sketches'"},
      {{{"gamma", "0"}}, "field 'gamma' must satisfy gamma > 0"},
      {{{"batch", "0"}}, "field 'batch'"},
      {{{"N", "1000"}, {"batch", "3"}}, "field 'N' must satisfy N a multiple of batch"},
      {{{"seed", "-1"}}, "field 'seed'"},
      {{{"seed", "4294967296"}}, "field 'seed'"},
      {{{"checkpoint_ratio", "1"}}, "field 'checkpoint_ratio'"},
      {{{"sketch", "identity"}, {"d", "50"}, {"M", "10"}}, "field 'M' must satisfy M = d for the identity sketch"},
      {{{"sketch", "hadamard"}}, "field 'sketch' must be one of gaussian, identity"},
      {{{"schedule", "sine"}},
       "field 'schedule' must be one of geometric, constant, power, cosine, linear, wsd, table"},
      {{{"a", "nan"}}, "field 'a' must be finite"},
      {{{"sigma", "inf"}}, "field 'sigma' must be finite"},
      {{{"gamma", "abc"}}, "field 'gamma' must be a number, got 'abc'"},
      {{{"M", "12.5"}}, "field 'M' must be an integer"},
      {{{"decomposition", "maybe"}}, "field 'decomposition' must be true or false"},
      {{{"covariates", "rademacher"}}, "field 'covariates'"},
      {{{"backend", "tpu"}}, "field 'backend' must be one of cpu, cuda, reference, auto"},
  };
  for (const Case& k : cases) {
    RawSettings s;
    for (const auto& [key, v] : k.kv) s[key] = {v, RawValue::Origin::kCommandLine};
    const std::string msg = error_of({s});
    EXPECT_NE(msg.find(k.needle), std::string::npos) << "expected '" << k.needle << "', got '" << msg << "'";
  }
}

TEST(ConfigValidation, TomlErrors) {
  EXPECT_NE(toml_error("[problem]\na = 0.9\n").find("field 'a'"), std::string::npos);
  EXPECT_NE(toml_error("[problem]\na = nan\n").find("field 'a' must be finite"), std::string::npos);
  EXPECT_NE(toml_error("[problem]\na = \"two\"\n").find("field 'a' must be a number"), std::string::npos);
  EXPECT_NE(toml_error("[problem]\nalpha = 2\n").find("unknown key 'alpha' in [problem]"), std::string::npos);
  EXPECT_NE(toml_error("[sgd]\na = 2\n").find("unknown key 'a' in [sgd]"), std::string::npos);
  EXPECT_NE(toml_error("[problme]\na = 2\n").find("unknown top-level key or section 'problme'"), std::string::npos);
  EXPECT_NE(toml_error("[problem\na = 2\n").find("malformed TOML at line 1"), std::string::npos);
  EXPECT_NE(toml_error("[run]\nout = 3\n").find("field 'out' must be a string"), std::string::npos);
  EXPECT_NE(toml_error("[problem]\nM = [1, 2]\n").find("field 'M'"), std::string::npos);
  EXPECT_NE(toml_error("[problem]\nd = 64\nM = 128\n").find("field 'M' must satisfy M <= d"), std::string::npos);
}

TEST(ConfigValidation, CommandLineOverridesToml) {
  const RawSettings file = parse_toml_settings("[problem]\na = 1.5\nM = 64\n[sgd]\nN = 1000\n", "f.toml");
  const Config c = resolve_config({file, cli({{"M", "32"}})});
  EXPECT_EQ(c.a, 1.5);
  EXPECT_EQ(c.b, 1.5);
  EXPECT_EQ(c.M, 32);
  EXPECT_EQ(c.N, 1000);
}

TEST(ConfigValidation, DivergentStepSizeIsReportedWithTheStableRange) {
  Config c = sgdlaw::testing::small_config();
  c.gamma = 5.0;
  try {
    run_simulation(c);
    FAIL() << "expected DivergenceError";
  } catch (const DivergenceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("field 'gamma' = 5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("stable step sizes are gamma <"), std::string::npos) << msg;
  }
}

TEST(ConfigValidation, BIsAnAliasOfBatch) {
  const Config c = resolve_config({parse_toml_settings("[sgd]\nB = 4\nN = 400\n", "f.toml")});
  EXPECT_EQ(c.batch, 4);
}

TEST(ConfigValidation, InfiniteDimensionNeedsExactOnly) {
  EXPECT_NE(error_of({cli({{"d", "inf"}, {"sketch", "identity"}})}).find("monte_carlo = false"), std::string::npos);
  EXPECT_EQ(error_of({cli({{"d", "inf"}, {"sketch", "identity"}, {"monte_carlo", "false"}})}), "");
  EXPECT_EQ(error_of({cli({{"d", "inf"}, {"M", "100000"}, {"monte_carlo", "false"}})}), "");  // Gaussian: det. eq.
  EXPECT_NE(error_of({cli({{"d", "inf"}, {"monte_carlo", "false"}, {"det_equiv", "false"}})}).find("'det_equiv'"),
            std::string::npos);
  EXPECT_NE(error_of({cli({{"d", "inf"}, {"sketch", "identity"}, {"monte_carlo", "false"}, {"wstar", "fixed"}})})
                .find("'wstar'"),
            std::string::npos);
  EXPECT_NE(error_of({cli({{"head", "100"}})}).find("head only with d = inf"), std::string::npos);
  EXPECT_NE(error_of({cli({{"d", "inf"}, {"sketch", "identity"}, {"monte_carlo", "false"}, {"head", "4"}})})
                .find("16 <= head"),
            std::string::npos);
  EXPECT_NE(error_of({cli({{"d", "infinite"}})}).find("'d'"), std::string::npos);
  EXPECT_NE(error_of({cli({{"exact_method", "fast"}})}).find("'exact_method'"), std::string::npos);
  const Config c =
      resolve_config({cli({{"d", "inf"}, {"sketch", "identity"}, {"monte_carlo", "false"}, {"head", "64"}})});
  EXPECT_TRUE(c.d_infinite);
  EXPECT_EQ(c.d, 64);
  EXPECT_EQ(toml_error("[problem]\nd = \"inf\"\nsketch = \"identity\"\n[run]\nmonte_carlo = false\n"), "");
}
