#pragma once
// One macro so that per-trial math is compiled by both g++ (CPU backend, tests) and nvcc (CUDA backend).
#if defined(__CUDACC__)
#define SGDLAW_HD __host__ __device__
#else
#define SGDLAW_HD
#endif
