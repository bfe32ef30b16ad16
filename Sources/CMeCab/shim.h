// MeCab (libmecab-dev): Japanese morphological analysis, used by Normalization's JapaneseReader for the readings
// of kanji (with the IPAdic dictionary, mecab-ipadic-utf8). Only `Normalization` imports this module.
#include <mecab.h>
