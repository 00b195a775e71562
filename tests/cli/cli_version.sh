"$TFG" --version
echo "status $?"
