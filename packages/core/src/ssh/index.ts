// Filled in by its issue; see DESIGN.md layout.
export {};
