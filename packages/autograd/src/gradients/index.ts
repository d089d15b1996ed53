// Importing this module registers a gradient for every differentiable kernel of the kernel set.
import './elementwise';
import './reduce';
import './linalg';
import './movement';
import './conv';
import './pool';
import './resize';
import './sort';
import './softmax';
import './loss';
