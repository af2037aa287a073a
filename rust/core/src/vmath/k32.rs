//! Native f32 kernels (16 lanes per AVX-512 register) for the hottest
//! functions; everything else runs the f64 kernels on widened lanes.
