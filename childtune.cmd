@echo off
rem Runs the ChildTune command-line tool from the source tree on Windows, building it first
rem when the jar is missing (after changing the sources: mvn -B -DskipTests package).
setlocal
set "ROOT=%~dp0"
set "JAR=%ROOT%childtune-cli\target\childtune-cli.jar"
set "CLASSPATH_FILE=%ROOT%childtune-cli\target\classpath.txt"
if not exist "%JAR%" goto build
if not exist "%CLASSPATH_FILE%" goto build
goto run
:build
echo childtune: building (mvn package, tests skipped)... 1>&2
pushd "%ROOT%"
call mvn -q -B -DskipTests -Dassembly.skipAssembly=true package
set "BUILD_STATUS=%ERRORLEVEL%"
popd
if not "%BUILD_STATUS%"=="0" (
  echo childtune: the build failed ^(see above^) 1>&2
  exit /b 3
)
:run
rem for /f reads the whole line (set /p would stop at 1024 characters)
for /f "usebackq delims=" %%i in ("%CLASSPATH_FILE%") do set "DEPENDENCIES=%%i"
java %CHILDTUNE_JAVA_OPTS% -Dai.djl.offline=true -cp "%JAR%;%DEPENDENCIES%" dev.childtune.cli.ChildTuneCli %*
exit /b %ERRORLEVEL%
