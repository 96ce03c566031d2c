"""荣誉证书: the name a winner wants on it, issuing, and public verification."""
