import Testing  // Placeholder until the engine's tests are merged.
