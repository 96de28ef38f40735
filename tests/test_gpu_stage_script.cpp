// bench/gpu_stage.sh in dry-run mode (no GPU): each stage writes exactly its three files (summary, logs
// archive, JSON), the summary records commit, nvcc and card, and the JSON parses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "test_helpers.hpp"

namespace fs = std::filesystem;

TEST(GpuStageScript, DryRunWritesThreeFilesPerStage) {
  const fs::path out = fs::path(::testing::TempDir()) / "sgdlaw_gpu_stage_dry";
  fs::remove_all(out);
  for (int stage = 0; stage <= 3; ++stage) {
    const std::string cmd = "cd " SGDLAW_SOURCE_DIR " && DRY_RUN=1 OUT=" + out.string() + " bash bench/gpu_stage.sh " +
                            std::to_string(stage);
    ASSERT_EQ(sgdlaw::testing::run_logged(cmd, (out.parent_path() / "gpu_stage.log").string()), 0) << stage;
  }
  int files = 0;
  for (const auto& e : fs::directory_iterator(out)) {
    ++files;
    EXPECT_TRUE(e.is_regular_file()) << e.path();
  }
  EXPECT_EQ(files, 12);
  for (int stage = 0; stage <= 3; ++stage) {
    const std::string s = std::to_string(stage);
    std::ifstream f(out / ("stage" + s + "-summary.txt"));
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("commit: "), std::string::npos);
    EXPECT_NE(text.find("nvcc: "), std::string::npos);
    EXPECT_NE(text.find("card: "), std::string::npos);
    EXPECT_TRUE(fs::exists(out / ("stage" + s + "-logs.tar.gz")));
    std::ifstream j(out / ("stage" + s + ".json"));
    const auto parsed = nlohmann::json::parse(j);
    EXPECT_EQ(parsed["stage"], stage);
    EXPECT_FALSE(parsed["results"].empty());
  }
}
