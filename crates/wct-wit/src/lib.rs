//! wct-wit
