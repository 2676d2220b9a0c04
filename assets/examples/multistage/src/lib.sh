# lib.sh: the greeter's library.
greet() {
	printf 'hello, %s (greeter %s)\n' "$1" "$(cat /app/VERSION)"
}
