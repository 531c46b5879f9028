// Bare Node start-up (with the usage preload): the start-up cost the floor is measured beyond.
