/// The local practice range.
