#pragma once
namespace sgdlaw {
const char* version_string();
}
