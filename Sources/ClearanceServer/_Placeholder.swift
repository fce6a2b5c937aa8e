/// Placeholder until the module's first file lands; delete when adding real sources.
enum _ClearanceServerPlaceholder {}
